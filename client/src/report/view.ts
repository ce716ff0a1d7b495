// The report page's elements, built once; main.ts fills and wires them, controller.ts decides.
import type { Lang } from '../i18n/messages.ts';
import { h } from '../ui/dom.ts';
import { COUNT_FIELDS, OUTPUT_FIELDS } from './draft.ts';
import type { ReportMessages } from './messages.ts';

export type ReportView = ReturnType<typeof buildReportView>;

export function buildReportView(t: ReportMessages, lang: Lang) {
  const tokenInput = h('input', { type: 'password', name: 'token', autocomplete: 'off', class: 'input', placeholder: t.token, 'aria-label': t.token });
  const tokenSave = h('button', { type: 'button', class: 'button', text: t.tokenSave });
  const tokenEdit = h('div', { class: 'token-edit' }, h('label', { class: 'label', text: t.token }), h('div', { class: 'row' }, tokenInput, tokenSave), h('p', { class: 'hint', text: t.tokenHint }));
  const tokenShownText = h('span');
  const tokenChange = h('button', { type: 'button', class: 'link', text: t.tokenChange });
  const tokenShown = h('div', { class: 'token-shown', 'data-testid': 'token-saved' }, tokenShownText, tokenChange);
  const tokenError = h('div', { class: 'field-error', 'data-testid': 'token-error', role: 'alert', hidden: true });
  const tokenCard = h('section', { class: 'card token-card' }, tokenEdit, tokenShown, tokenError);

  const kindButtons = (['checkpoint', 'line'] as const).map((k) =>
    h('button', { type: 'button', class: 'segment', 'data-kind': k, text: k === 'checkpoint' ? t.kindCheckpoint : t.kindLine }),
  );
  const targetLabel = h('label', { class: 'label', for: 'target' });
  const targetSelect = h('select', { id: 'target', name: 'target', class: 'input' });
  const periodStart = h('input', { type: 'datetime-local', id: 'periodStart', name: 'periodStart', class: 'input', step: 60 });
  const periodEnd = h('input', { type: 'datetime-local', id: 'periodEnd', name: 'periodEnd', class: 'input', step: 60 });
  const periodHint = h('p', { class: 'hint', 'data-testid': 'period-hint' });
  const errorSlots = new Map<string, HTMLElement>();
  const errorSlot = (field: string) => {
    const el = h('div', { class: 'field-error', 'data-error-for': field, role: 'alert', hidden: true });
    errorSlots.set(field, el);
    return el;
  };
  const numberInputs = new Map<string, HTMLInputElement>();
  const numberField = (field: string) => {
    const input = h('input', { type: 'text', inputmode: 'numeric', pattern: '[0-9]*', id: field, name: field, class: 'input input-number', autocomplete: 'off' });
    numberInputs.set(field, input);
    return h('div', { class: 'field' }, h('label', { class: 'label', for: field, text: t.fields[field] ?? field }), input, errorSlot(field));
  };
  const countsGroup = h('div', { class: 'numbers', 'data-group': 'checkpoint' }, ...COUNT_FIELDS.map(numberField));
  const outputGroup = h('div', { class: 'numbers', 'data-group': 'line' }, ...OUTPUT_FIELDS.map(numberField));
  const nothingToReport = h('input', { type: 'checkbox', id: 'nothingToReport', name: 'nothingToReport' });
  const nothingToReportField = h('label', { class: 'check', for: 'nothingToReport' }, nothingToReport, h('span', { text: t.nothingToReport }));
  const formError = h('div', { class: 'form-error', role: 'alert', 'data-testid': 'form-error', hidden: true });
  const statusLine = h('div', { class: 'status', role: 'status', 'data-testid': 'status', hidden: true });
  const submitButton = h('button', { type: 'submit', class: 'button primary', 'data-testid': 'submit', text: t.submit });
  const stopButton = h('button', { type: 'button', class: 'button ghost', text: t.stopRetry, hidden: true });
  const queueButton = h('button', { type: 'button', class: 'button ghost', 'data-testid': 'queue-and-continue', text: t.queueAndContinue, hidden: true });
  const keyLine = h('p', { class: 'key-line', 'data-testid': 'idempotency-key' });
  // Correcting a report: which one, and why (the period and site are that report's, not editable).
  const correctionTitle = h('h2', { class: 'correction-title' });
  const reasonInput = h('input', { type: 'text', id: 'reason', name: 'reason', class: 'input', autocomplete: 'off', maxlength: 1000 });
  const cancelCorrection = h('button', { type: 'button', class: 'link', 'data-testid': 'cancel-correction', text: t.cancelCorrection });
  const correctionBanner = h(
    'div',
    { class: 'correction', 'data-testid': 'correction', hidden: true },
    correctionTitle,
    h('p', { class: 'hint', text: t.correctionHint }),
    h('div', { class: 'field' }, h('label', { class: 'label', for: 'reason', text: t.reason }), reasonInput, errorSlot('reason')),
    cancelCorrection,
  );
  // Everything the operator types, disabled as one while the report it describes is being sent.
  const inputs = h(
    'fieldset',
    { class: 'inputs' },
    h('div', { class: 'segmented', role: 'tablist' }, ...kindButtons),
    h('div', { class: 'field' }, targetLabel, targetSelect, errorSlot('checkpointId'), errorSlot('lineId')),
    h(
      'div',
      { class: 'period' },
      h('div', { class: 'field' }, h('label', { class: 'label', for: 'periodStart', text: t.periodStart }), periodStart, errorSlot('periodStart')),
      h('div', { class: 'field' }, h('label', { class: 'label', for: 'periodEnd', text: t.periodEnd }), periodEnd, errorSlot('periodEnd')),
    ),
    periodHint,
    countsGroup,
    outputGroup,
    nothingToReportField,
  );
  const confirmList = h('ul', { class: 'flags' });
  const confirmSend = h('button', { type: 'button', class: 'button primary', 'data-testid': 'confirm-send', text: t.confirmSend });
  const confirmBack = h('button', { type: 'button', class: 'button ghost', 'data-testid': 'confirm-back', text: t.confirmBack });
  const confirmPanel = h('div', { class: 'confirm', 'data-testid': 'confirm', role: 'alertdialog', hidden: true }, h('p', { class: 'confirm-title', text: t.confirmTitle }), confirmList, h('div', { class: 'actions' }, confirmSend, confirmBack));
  const form = h(
    'form',
    { class: 'card report-form', novalidate: true, 'data-testid': 'report-form' },
    correctionBanner,
    inputs,
    formError,
    confirmPanel,
    statusLine,
    h('div', { class: 'actions' }, submitButton, stopButton, queueButton),
    keyLine,
  );
  const offlineNote = h('p', { class: 'notice offline', 'data-testid': 'offline', text: t.offline, hidden: true });
  const queueList = h('ul', { class: 'queue-list' });
  const queueCard = h('section', { class: 'card queue', 'data-testid': 'queue', hidden: true }, h('h2', { text: t.queueTitle }), queueList);
  const todaySummary = h('p', { class: 'today-summary', 'data-testid': 'today-summary' });
  const todayList = h('ul', { class: 'today-list' });
  const todayCard = h('section', { class: 'card today', 'data-testid': 'today', hidden: true }, h('h2', { text: t.today }), todaySummary, todayList);

  const resultCard = h('section', { class: 'card result', 'data-testid': 'result', hidden: true });

  const page =
    h(
        'div',
        { class: 'report' },
        h(
          'header',
          { class: 'report-header' },
          h('div', { class: 'emblem-sm', 'aria-hidden': 'true' }),
          h('div', { class: 'titles' }, h('h1', { text: t.title }), h('p', { text: t.zoneName })),
          h('a', { class: 'lang', href: lang === 'zh' ? '?lang=en' : '?', text: t.switchLang }),
        ),
        tokenCard,
        offlineNote,
        queueCard,
        form,
        resultCard,
        todayCard,
      );

  return {
    page,
    tokenInput,
    tokenSave,
    tokenEdit,
    tokenShownText,
    tokenChange,
    tokenShown,
    tokenError,
    kindButtons,
    targetLabel,
    targetSelect,
    periodStart,
    periodEnd,
    periodHint,
    errorSlots,
    numberInputs,
    countsGroup,
    outputGroup,
    nothingToReport,
    formError,
    statusLine,
    submitButton,
    stopButton,
    keyLine,
    form,
    resultCard,
    queueButton,
    correctionBanner,
    correctionTitle,
    reasonInput,
    cancelCorrection,
    inputs,
    confirmPanel,
    confirmList,
    confirmSend,
    confirmBack,
    offlineNote,
    queueCard,
    queueList,
    todayCard,
    todaySummary,
    todayList,
  };
}
