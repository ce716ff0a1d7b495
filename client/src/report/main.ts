import type { CombinedError } from '@urql/core';
import type { ResultOf } from '../graphql/graphql.ts';
import '../ui/base.css';
import './report.css';
import { readToken, storeToken, takeTokenFromUrl } from '../auth/token.ts';
import { formatCount } from '../format/number.ts';
import { DEFAULT_TIME_ZONE, ErrorCode, fromZonedLocal, lastFullHour, toZonedIso } from '@fangkong/zone';
import { formatHourMinute, toZonedInputValue } from '../format/time.ts';
import { nameIn, pickLang } from '../i18n/messages.ts';
import { backoffDelay } from '../live/backoff.ts';
import { h, setText } from '../ui/dom.ts';
import { createFangkongClient } from '../urql/client.ts';
import {
  clearPending,
  COUNT_FIELDS,
  loadPending,
  newIdempotencyKey,
  OUTPUT_FIELDS,
  parseCount,
  savePending,
  type CheckpointInput,
  type CountField,
  type LineInput,
  type OutputField,
  type PendingSubmission,
  type ReportKind,
} from './draft.ts';
import { reportMessages } from './messages.ts';
import { ReportCheckpointCountsMutation, ReportProductionOutputMutation, ReportTargetsQuery } from './operations.ts';
import { classify, refusedOnlyTheReadBack, submitWithRetry, SubmissionRefused, type Attempt } from './submit-with-retry.ts';

const lang = pickLang(location.search);
const t = reportMessages[lang];
document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
document.title = `${t.title} · ${t.zoneName}`;
const storage = window.localStorage;
takeTokenFromUrl({ location, history, storage });
const token = () => readToken(storage);
const client = createFangkongClient({ token });

interface Target {
  id: string;
  label: string;
}
let kind: ReportKind = storage.getItem('fangkong.reportKind') === 'line' ? 'line' : 'checkpoint';
let targets: Record<ReportKind, Target[]> = { checkpoint: [], line: [] };
/** Periods are read and written in the zone's time, whatever the phone's own time zone. */
const timeZone = DEFAULT_TIME_ZONE;
/** The key of the report being written: chosen once, reused by every retry, renewed after success. */
let draftKey = newIdempotencyKey();
let inFlight: AbortController | null = null;
/**
 * Whether to ask for the stored report in the answer. Operators may read the reports of their own
 * sites; should a server refuse that read, the write has still happened, and the page stops asking.
 */
let readBack = true;

// ── token ──────────────────────────────────────────────────────────────────────────────────────
const tokenInput = h('input', { type: 'password', name: 'token', autocomplete: 'off', class: 'input', placeholder: t.token, 'aria-label': t.token });
const tokenSave = h('button', { type: 'button', class: 'button', text: t.tokenSave });
const tokenEdit = h('div', { class: 'token-edit' }, h('label', { class: 'label', text: t.token }), h('div', { class: 'row' }, tokenInput, tokenSave), h('p', { class: 'hint', text: t.tokenHint }));
const tokenShownText = h('span');
const tokenChange = h('button', { type: 'button', class: 'link', text: t.tokenChange });
const tokenShown = h('div', { class: 'token-shown', 'data-testid': 'token-saved' }, tokenShownText, tokenChange);
const tokenError = h('div', { class: 'field-error', 'data-testid': 'token-error', role: 'alert', hidden: true });
const tokenCard = h('section', { class: 'card token-card' }, tokenEdit, tokenShown, tokenError);

function renderToken(): void {
  const current = token();
  tokenEdit.hidden = !!current;
  tokenShown.hidden = !current;
  if (current) setText(tokenShownText, t.tokenSaved(current.slice(-4)));
}
tokenSave.addEventListener('click', () => {
  const value = tokenInput.value.trim();
  if (!value) return tokenInput.focus();
  storeToken(storage, value);
  tokenInput.value = '';
  renderToken();
  formError.hidden = true;
  void loadTargets();
});
tokenInput.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') {
    e.preventDefault();
    tokenSave.click();
  }
});
tokenChange.addEventListener('click', () => {
  storeToken(storage, null);
  renderToken();
  tokenError.hidden = true;
  tokenInput.focus();
});

// ── form ───────────────────────────────────────────────────────────────────────────────────────
const kindButtons = (['checkpoint', 'line'] as const).map((k) =>
  h('button', { type: 'button', class: 'segment', 'data-kind': k, text: k === 'checkpoint' ? t.kindCheckpoint : t.kindLine }),
);
const targetLabel = h('label', { class: 'label', for: 'target' });
const targetSelect = h('select', { id: 'target', name: 'target', class: 'input' });
const periodStart = h('input', { type: 'datetime-local', id: 'periodStart', name: 'periodStart', class: 'input', step: 60 });
const periodEnd = h('input', { type: 'datetime-local', id: 'periodEnd', name: 'periodEnd', class: 'input', step: 60 });
const periodHint = h('p', { class: 'hint' });
const errorSlots = new Map<string, HTMLElement>();
const errorSlot = (field: string) => {
  const el = h('div', { class: 'field-error', 'data-error-for': field, role: 'alert', hidden: true });
  errorSlots.set(field, el);
  return el;
};
const numberInputs = new Map<string, HTMLInputElement>();
const numberField = (field: string) => {
  const input = h('input', { type: 'text', inputmode: 'numeric', pattern: '[0-9]*', id: field, name: field, class: 'input input-number', placeholder: '0', autocomplete: 'off' });
  numberInputs.set(field, input);
  return h('div', { class: 'field' }, h('label', { class: 'label', for: field, text: t.fields[field] ?? field }), input, errorSlot(field));
};
const countsGroup = h('div', { class: 'numbers', 'data-group': 'checkpoint' }, ...COUNT_FIELDS.map(numberField));
const outputGroup = h('div', { class: 'numbers', 'data-group': 'line' }, ...OUTPUT_FIELDS.map(numberField));
const formError = h('div', { class: 'form-error', role: 'alert', 'data-testid': 'form-error', hidden: true });
const statusLine = h('div', { class: 'status', role: 'status', 'data-testid': 'status', hidden: true });
const submitButton = h('button', { type: 'submit', class: 'button primary', 'data-testid': 'submit', text: t.submit });
const stopButton = h('button', { type: 'button', class: 'button ghost', text: t.stopRetry, hidden: true });
const keyLine = h('p', { class: 'key-line', 'data-testid': 'idempotency-key' });
const form = h(
  'form',
  { class: 'card report-form', novalidate: true, 'data-testid': 'report-form' },
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
  formError,
  statusLine,
  h('div', { class: 'actions' }, submitButton, stopButton),
  keyLine,
);

const resultCard = h('section', { class: 'card result', 'data-testid': 'result', hidden: true });
const pendingBanner = h('div', { class: 'card pending', hidden: true });

document.body.replaceChildren(
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
    pendingBanner,
    form,
    resultCard,
  ),
);

function setKind(next: ReportKind): void {
  kind = next;
  storage.setItem('fangkong.reportKind', kind);
  for (const b of kindButtons) b.setAttribute('aria-selected', String(b.dataset.kind === kind));
  countsGroup.hidden = kind !== 'checkpoint';
  outputGroup.hidden = kind !== 'line';
  setText(targetLabel, t.target[kind]);
  renderTargets();
  clearErrors();
}
for (const b of kindButtons) b.addEventListener('click', () => setKind(b.dataset.kind as ReportKind));

function renderTargets(): void {
  const remembered = storage.getItem(`fangkong.reportTarget.${kind}`);
  const list = targets[kind];
  targetSelect.replaceChildren(h('option', { value: '', text: list.length ? t.choose : t.loading }), ...list.map((x) => h('option', { value: x.id, text: x.label })));
  if (remembered && list.some((x) => x.id === remembered)) targetSelect.value = remembered;
}
targetSelect.addEventListener('change', () => storage.setItem(`fangkong.reportTarget.${kind}`, targetSelect.value));

function setDefaultPeriod(): void {
  const { start, end } = lastFullHour(Date.now(), timeZone);
  periodStart.value = toZonedInputValue(start.getTime(), timeZone);
  periodEnd.value = toZonedInputValue(end.getTime(), timeZone);
  setText(periodHint, t.periodHint(timeZone));
}

function renderKey(): void {
  setText(keyLine, `${t.key}: ${draftKey}`);
  keyLine.dataset.key = draftKey;
}

// ── loading what can be reported on ────────────────────────────────────────────────────────────
let loadTimer: ReturnType<typeof setTimeout> | null = null;
async function loadTargets(attempt = 0): Promise<void> {
  if (loadTimer !== null) clearTimeout(loadTimer);
  loadTimer = null;
  if (!token()) {
    setText(targetSelect.options[0]!, t.tokenMissing);
    return;
  }
  const result = await client.query(ReportTargetsQuery, {}).toPromise();
  if (!result.data) {
    const refused = result.error?.graphQLErrors[0];
    if (refused && !result.error?.networkError) {
      // The token is refused: wait for another one rather than retry.
      setText(targetSelect.options[0]!, refused.message);
      tokenError.hidden = false;
      setText(tokenError, refused.message);
      return;
    }
    setText(targetSelect.options[0]!, t.loadFailed);
    loadTimer = setTimeout(() => void loadTargets(attempt + 1), backoffDelay(attempt, { baseMs: 1000, capMs: 15_000 }));
    return;
  }
  tokenError.hidden = true;
  const data = result.data;
  targets = {
    checkpoint: data.checkpoints.edges.map(({ node }) => ({ id: node.id, label: nameIn(lang, node) })),
    line: data.productionLines.edges.map(({ node }) => ({
      id: node.id,
      label: `${nameIn(lang, node)}（${nameIn(lang, node.product)}）`,
    })),
  };
  renderTargets();
}

// ── submitting ─────────────────────────────────────────────────────────────────────────────────
function clearErrors(): void {
  for (const slot of errorSlots.values()) {
    slot.hidden = true;
    slot.textContent = '';
  }
  for (const input of [...numberInputs.values(), periodStart, periodEnd, targetSelect]) input.removeAttribute('aria-invalid');
  formError.hidden = true;
}

function showFieldError(field: string, message: string): boolean {
  const slot = errorSlots.get(field);
  if (!slot) return false;
  slot.hidden = false;
  slot.textContent = slot.textContent ? `${slot.textContent}；${message}` : message;
  const input = numberInputs.get(field) ?? (field === 'periodStart' ? periodStart : field === 'periodEnd' ? periodEnd : field === 'checkpointId' || field === 'lineId' ? targetSelect : null);
  input?.setAttribute('aria-invalid', 'true');
  return true;
}

function showFormError(message: string): void {
  formError.hidden = false;
  formError.textContent = message;
}

function readForm(): PendingSubmission | null {
  clearErrors();
  let ok = true;
  const fail = (field: string, message: string) => {
    showFieldError(field, message);
    ok = false;
  };
  if (!token()) {
    showFormError(t.tokenMissing);
    tokenInput.focus();
    return null;
  }
  const targetField = kind === 'checkpoint' ? 'checkpointId' : 'lineId';
  if (!targetSelect.value) fail(targetField, t.choose);
  const start = fromZonedLocal(periodStart.value, timeZone)?.getTime() ?? null;
  const end = fromZonedLocal(periodEnd.value, timeZone)?.getTime() ?? null;
  if (start === null) fail('periodStart', t.periodStart);
  if (end === null) fail('periodEnd', t.periodEnd);
  const numbers: Record<string, number> = {};
  for (const field of kind === 'checkpoint' ? COUNT_FIELDS : OUTPUT_FIELDS) {
    const value = parseCount(numberInputs.get(field)!.value);
    if (value === null) fail(field, t.notANumber);
    else numbers[field] = value;
  }
  if (!ok || start === null || end === null) {
    showFormError(t.fixFields);
    return null;
  }
  const period = { periodStart: toZonedIso(start, timeZone), periodEnd: toZonedIso(end, timeZone), idempotencyKey: draftKey };
  if (kind === 'checkpoint') {
    return { kind, input: { checkpointId: targetSelect.value, ...period, ...(numbers as Omit<CheckpointInput, 'checkpointId' | 'periodStart' | 'periodEnd' | 'idempotencyKey'>) } };
  }
  return { kind, input: { lineId: targetSelect.value, ...period, ...(numbers as Omit<LineInput, 'lineId' | 'periodStart' | 'periodEnd' | 'idempotencyKey'>) } };
}

async function sendCheckpoint(input: CheckpointInput) {
  return classify(await client.mutation(ReportCheckpointCountsMutation, { input, withReport: readBack }).toPromise());
}
async function sendLine(input: LineInput) {
  return classify(await client.mutation(ReportProductionOutputMutation, { input, withReport: readBack }).toPromise());
}

async function submit(pending: PendingSubmission): Promise<void> {
  if (inFlight) return;
  const controller = new AbortController();
  inFlight = controller;
  savePending(storage, pending);
  submitButton.disabled = true;
  stopButton.hidden = false;
  statusLine.hidden = false;
  statusLine.dataset.state = 'submitting';
  setText(statusLine, t.submitting);
  // The same input object, idempotency key included, goes out on every try.
  const send: () => Promise<Attempt<CheckpointResult | LineResult>> =
    pending.kind === 'checkpoint' ? () => sendCheckpoint(pending.input) : () => sendLine(pending.input);
  const options = {
    signal: controller.signal,
    onRetry: ({ retry, delayMs }: { retry: number; delayMs: number }) => {
      statusLine.dataset.state = 'retrying';
      statusLine.dataset.retry = String(retry);
      setText(statusLine, t.retrying(retry, Math.max(1, Math.round(delayMs / 1000))));
    },
  };
  try {
    let data: CheckpointResult | LineResult;
    let confirmedOnly = false;
    try {
      data = await submitWithRetry(send, options);
    } catch (error) {
      if (!(error instanceof SubmissionRefused && refusedOnlyTheReadBack(error.reason as CombinedError))) throw error;
      // Stored, but this token may not read the report back: ask again without it. The same key
      // makes that a duplicate of our own write, so the answer confirms it and nothing more.
      readBack = false;
      data = await submitWithRetry(send, options);
      confirmedOnly = true;
    }
    clearPending(storage);
    pendingBanner.hidden = true;
    statusLine.hidden = true;
    showAnswer(pending, data, confirmedOnly);
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') {
      statusLine.dataset.state = 'stopped';
      setText(statusLine, t.stopped);
    } else {
      clearPending(storage);
      statusLine.hidden = true;
      showFormError(error instanceof SubmissionRefused ? error.message : String(error));
    }
  } finally {
    inFlight = null;
    submitButton.disabled = false;
    stopButton.hidden = true;
  }
}

stopButton.addEventListener('click', () => inFlight?.abort());

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const pending = readForm();
  if (pending) void submit(pending);
});

type CheckpointResult = ResultOf<typeof ReportCheckpointCountsMutation>;
type LineResult = ResultOf<typeof ReportProductionOutputMutation>;
type StoredPayload = Extract<
  CheckpointResult['reportCheckpointCounts'] | LineResult['reportProductionOutput'],
  { __typename: 'CheckpointReportPayload' | 'OutputReportPayload' }
>;

function showAnswer(pending: PendingSubmission, data: CheckpointResult | LineResult, confirmedOnly = false): void {
  const result = 'reportCheckpointCounts' in data ? data.reportCheckpointCounts : data.reportProductionOutput;
  if (result.__typename === 'CheckpointReportPayload' || result.__typename === 'OutputReportPayload') {
    renderStored(pending, result, confirmedOnly);
    return;
  }
  if (result.__typename === 'ValidationError') {
    let unplaced = '';
    for (const issue of result.issues) {
      if (!showFieldError(issue.field, issue.message)) unplaced += `${issue.field}: ${issue.message}\n`;
    }
    showFormError(unplaced.trim() || result.message || t.fixFields);
    formError.dataset.code = result.code;
    return;
  }
  showFormError(`${result.message} (${result.code})${result.code === ErrorCode.IdempotencyConflict || result.__typename === 'IdempotencyConflictError' ? `\n${t.conflictHint}` : ''}`);
  formError.dataset.code = result.code;
  if (result.__typename === 'IdempotencyConflictError') offerNewReport();
}

function renderStored(pending: PendingSubmission, payload: StoredPayload, confirmedOnly: boolean): void {
  // Tokens that may not read reports back get the server's confirmation only: the stored figures are
  // then the ones sent (a same-key retry with other figures would have been refused as a conflict).
  const stored = payload.report ?? null;
  const r: { periodStart: string; periodEnd: string } & Partial<Record<CountField | OutputField, number>> = stored ?? pending.input;
  const fields = pending.kind === 'checkpoint' ? COUNT_FIELDS : OUTPUT_FIELDS;
  const subjectName = stored
    ? nameIn(lang, 'checkpoint' in stored ? stored.checkpoint : stored.line)
    : (targets[pending.kind].find((x) => x.id === (pending.kind === 'checkpoint' ? pending.input.checkpointId : pending.input.lineId))?.label ?? '');
  const start = Date.parse(r.periodStart);
  const end = Date.parse(r.periodEnd);
  resultCard.replaceChildren(
    confirmedOnly
      ? h('p', { class: 'notice ok', 'data-testid': 'duplicate', 'data-duplicate': 'unknown', text: t.stored })
      : h('p', { class: payload.duplicate ? 'notice duplicate' : 'notice ok', 'data-testid': 'duplicate', 'data-duplicate': String(payload.duplicate), text: payload.duplicate ? t.duplicate : t.stored }),
    h('h2', { text: subjectName }),
    h('p', { class: 'result-period', text: `${t.period}: ${toZonedInputValue(start, timeZone).slice(0, 10)} ${formatHourMinute(start, timeZone)}–${formatHourMinute(end, timeZone)}` }),
    h(
      'dl',
      { class: 'stored', 'data-source': payload.report ? 'server' : 'sent' },
      ...fields.flatMap((f) => [h('dt', { text: t.fields[f] ?? f }), h('dd', { 'data-field': f, 'data-value': String(r[f]), text: formatCount(r[f] ?? 0, lang) })]),
    ),
    ...(payload.report ? [] : [h('p', { class: 'hint', 'data-testid': 'as-sent', text: t.asSent })]),
    h('p', { class: 'hint', text: `${t.key}: ${pending.input.idempotencyKey}` }),
    newReportButton(),
  );
  resultCard.hidden = false;
  form.hidden = true;
  resultCard.scrollIntoView?.({ behavior: 'smooth', block: 'start' });
}

function newReportButton(): HTMLButtonElement {
  const button = h('button', { type: 'button', class: 'button primary', 'data-testid': 'new-report', text: t.newReport });
  button.addEventListener('click', startNewReport);
  return button;
}

function offerNewReport(): void {
  formError.append(h('br'), newReportButton());
}

function startNewReport(): void {
  draftKey = newIdempotencyKey();
  renderKey();
  for (const input of numberInputs.values()) input.value = '';
  clearErrors();
  setDefaultPeriod();
  resultCard.hidden = true;
  form.hidden = false;
  statusLine.hidden = true;
}

// A submission the server never confirmed (the page was closed while retrying) resumes with its key.
function offerPending(): void {
  const pending = loadPending(storage);
  if (!pending) return;
  const resume = h('button', { type: 'button', class: 'button primary', text: t.resume });
  const discard = h('button', { type: 'button', class: 'button ghost', text: t.discard });
  pendingBanner.replaceChildren(h('p', { text: t.pending }), h('p', { class: 'hint', text: `${t.key}: ${pending.input.idempotencyKey}` }), h('div', { class: 'actions' }, resume, discard));
  pendingBanner.hidden = false;
  resume.addEventListener('click', () => {
    draftKey = pending.input.idempotencyKey;
    renderKey();
    setKind(pending.kind);
    void submit(pending);
  });
  discard.addEventListener('click', () => {
    clearPending(storage);
    pendingBanner.hidden = true;
  });
}

renderToken();
setKind(kind);
setDefaultPeriod();
renderKey();
offerPending();
void loadTargets();
