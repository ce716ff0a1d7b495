// The operator's report page: state and wiring. The elements are built in view.ts; what a form or
// an answer means is decided in controller.ts, what to question before sending in review.ts, and
// reports waiting for a connection are kept in queue.ts.
import type { CombinedError } from '@urql/core';
import '../ui/base.css';
import './report.css';
import { DEFAULT_TIME_ZONE, ErrorCode, fromZonedLocal, lastFullHour } from '@fangkong/zone';
import { readToken, storeToken, takeTokenFromUrl } from '../auth/token.ts';
import { formatCount } from '../format/number.ts';
import { formatHourMinute, toZonedInputValue } from '../format/time.ts';
import { errorMessage, fieldLabel, issueLine, issueText } from '../i18n/errors.ts';
import { nameIn, pickLang } from '../i18n/messages.ts';
import { backoffDelay } from '../live/backoff.ts';
import { h, setText } from '../ui/dom.ts';
import { createFangkongClient } from '../urql/client.ts';
import { type Answer, readAnswer, readForm, type StoredPayload, storedFigures } from './controller.ts';
import { COUNT_FIELDS, newIdempotencyKey, OUTPUT_FIELDS, type PendingSubmission, type ReportKind } from './draft.ts';
import { reportMessages } from './messages.ts';
import {
  CorrectCheckpointReportMutation,
  CorrectOutputReportMutation,
  ReportByIdQuery,
  ReportCheckpointCountsMutation,
  ReportProductionOutputMutation,
  ReportTargetsQuery,
  SiteReportsQuery,
} from './operations.ts';
import { enqueue, loadQueue, nextToSend, type QueuedReport, sameFigures, saveQueue, update, without } from './queue.ts';
import { type Flag, lastReported, type RecentReport, reportsOfToday, reviewFigures } from './review.ts';
import { classify, refusedOnlyTheReadBack, submitWithRetry, SubmissionRefused, type Attempt } from './submit-with-retry.ts';
import { buildReportView } from './view.ts';

const lang = pickLang(location.search);
const t = reportMessages[lang];
document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
document.title = `${t.title} · ${t.zoneName}`;
const storage = window.localStorage;
takeTokenFromUrl({ location, history, storage });
const token = () => readToken(storage);
const client = createFangkongClient({ token });

// The page works with no signal: its files come from the service worker's cache (public/report-sw.js).
if ('serviceWorker' in navigator && location.protocol !== 'file:') {
  navigator.serviceWorker.register('/report-sw.js', { scope: '/report' }).catch(() => {
    // Without it the page still works online; only an offline start is lost.
  });
}

interface Target {
  id: string;
  label: string;
}
let kind: ReportKind = storage.getItem('fangkong.reportKind') === 'line' ? 'line' : 'checkpoint';
let targets: Record<ReportKind, Target[]> = { checkpoint: [], line: [] };
/** Who the saved token is, once the server has said so: shown beside it. */
let signedIn: string | null = null;
/** Periods are read and written in the zone's time, whatever the phone's own time zone. */
const timeZone = DEFAULT_TIME_ZONE;
/** The key of the report being written: chosen once, reused by every retry, renewed after success. */
let draftKey = newIdempotencyKey();
/** The last submission made of this draft under draftKey: the same figures again keep the key, changed ones get a new one. */
let draftSent: PendingSubmission | null = null;
/**
 * Whether to ask for the stored report in the answer. Operators may read the reports of their own
 * sites; should a server refuse that read, the write has still happened, and the page stops asking.
 */
let readBack = true;
/** Reports waiting to be sent, oldest first (kept in localStorage). */
let queue: QueuedReport[] = loadQueue(storage);
/** The queued report the form waits for (its answer is shown in the form), if any. */
let bound: string | null = null;
/** The report being sent now and how to stop it. */
let sending: { key: string; abort: AbortController } | null = null;
/** While a try waits: which report, which retry, and when the next try goes. */
let waiting: { key: string; retry: number; at: number } | null = null;
/** Reports of this page session the server took, newest first (shown under the queue). */
const delivered: string[] = [];
/** The report being corrected, when the form is in correction mode. */
let correcting: { kind: ReportKind; reportId: string; targetId: string; periodStart: string; periodEnd: string; key: string } | null = null;
/** The selected site's recent reports (current versions), newest first; null until read. */
let recent: RecentReport[] | null = null;
/** A checked submission waiting for the operator to confirm its flags. */
let awaitingConfirmation: (() => void) | null = null;

// ── token ──────────────────────────────────────────────────────────────────────────────────────
const view = buildReportView(t, lang);
document.body.replaceChildren(view.page);
const { tokenInput, tokenSave, tokenEdit, tokenShownText, tokenChange, tokenShown, tokenError, kindButtons, targetLabel, targetSelect, periodStart, periodEnd, periodHint, errorSlots, numberInputs, countsGroup, outputGroup, nothingToReport, formError, statusLine, submitButton, stopButton, keyLine, form, resultCard } = view;
const { queueButton, correctionBanner, correctionTitle, reasonInput, cancelCorrection, inputs, confirmPanel, confirmList, confirmSend, confirmBack, offlineNote, queueCard, queueList, todayCard, todaySummary, todayList } = view;

function renderToken(): void {
  const current = token();
  tokenEdit.hidden = !!current;
  tokenShown.hidden = !current;
  if (current) setText(tokenShownText, signedIn ? `${t.tokenSaved(current.slice(-4))} · ${signedIn}` : t.tokenSaved(current.slice(-4)));
}
tokenSave.addEventListener('click', () => {
  const value = tokenInput.value.trim();
  if (!value) return tokenInput.focus();
  signedIn = null;
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
  signedIn = null;
  storeToken(storage, null);
  storage.removeItem(TARGETS_KEY);
  renderToken();
  tokenError.hidden = true;
  tokenInput.focus();
});

// ── form ───────────────────────────────────────────────────────────────────────────────────────
function setKind(next: ReportKind): void {
  kind = next;
  storage.setItem('fangkong.reportKind', kind);
  for (const b of kindButtons) b.setAttribute('aria-selected', String(b.dataset.kind === kind));
  countsGroup.hidden = kind !== 'checkpoint';
  outputGroup.hidden = kind !== 'line';
  setText(targetLabel, t.target[kind]);
  renderTargets();
  clearErrors();
  void loadSiteReports();
}
for (const b of kindButtons) b.addEventListener('click', () => setKind(b.dataset.kind as ReportKind));

function renderTargets(): void {
  const remembered = storage.getItem(`fangkong.reportTarget.${kind}`);
  const list = targets[kind];
  const empty = signedIn ? t.noTargets(t.target[kind]) : t.loading;
  targetSelect.replaceChildren(h('option', { value: '', text: list.length ? t.choose : empty }), ...list.map((x) => h('option', { value: x.id, text: x.label })));
  if (remembered && list.some((x) => x.id === remembered)) targetSelect.value = remembered;
}
targetSelect.addEventListener('change', () => {
  storage.setItem(`fangkong.reportTarget.${kind}`, targetSelect.value);
  void loadSiteReports();
});

function setDefaultPeriod(): void {
  const { start, end } = lastFullHour(Date.now(), timeZone);
  periodStart.value = toZonedInputValue(start.getTime(), timeZone);
  periodEnd.value = toZonedInputValue(end.getTime(), timeZone);
  showPeriodHint();
}

function renderKey(): void {
  const key = correcting?.key ?? draftKey;
  setText(keyLine, `${t.key}: ${key}`);
  keyLine.dataset.key = key;
}

// ── loading what can be reported on ────────────────────────────────────────────────────────────
/** The last answer about the token's sites, so a page opened with no signal still offers them. */
const TARGETS_KEY = 'fangkong.reportTargets';
interface KnownTargets {
  token: string;
  signedIn: string;
  scoped: boolean;
  targets: Record<ReportKind, Target[]>;
}

function useTargets(known: KnownTargets): void {
  targets = known.targets;
  signedIn = known.signedIn;
  renderToken();
  // An operator of lines only (or checkpoints only) starts on what it reports.
  if (known.scoped && targets[kind].length === 0 && targets[kind === 'checkpoint' ? 'line' : 'checkpoint'].length > 0) setKind(kind === 'checkpoint' ? 'line' : 'checkpoint');
  renderTargets();
  void loadSiteReports();
}

let loadTimer: ReturnType<typeof setTimeout> | null = null;
async function loadTargets(attempt = 0): Promise<void> {
  if (loadTimer !== null) clearTimeout(loadTimer);
  loadTimer = null;
  if (!token()) {
    setText(targetSelect.options[0]!, t.tokenMissing);
    return;
  }
  // Asked afresh each time: the answer depends on the token, which may have just changed.
  const result = await client.query(ReportTargetsQuery, {}, { requestPolicy: 'network-only' }).toPromise();
  if (!result.data) {
    const refused = result.error?.graphQLErrors.find((e) => e.extensions?.code === ErrorCode.Unauthenticated);
    if (refused) {
      // The token is refused: it is not kept (a wrong token must not look saved), and the page waits
      // for another one rather than retry.
      storeToken(storage, null);
      storage.removeItem(TARGETS_KEY);
      signedIn = null;
      renderToken();
      const status = String(refused.extensions?.code ?? refused.message);
      setText(targetSelect.options[0]!, t.tokenMissing);
      tokenError.hidden = false;
      setText(tokenError, t.tokenRefused(status));
      tokenInput.focus();
      return;
    }
    const other = result.error?.graphQLErrors[0];
    if (other && !result.error?.networkError) {
      // Refused for another reason (no retry would change that): say it.
      setText(targetSelect.options[0]!, refusalText(other.extensions?.code, other.message));
      return;
    }
    // No signal: the sites this token had last time, until the server answers.
    const known = readKnownTargets();
    if (known && targets.checkpoint.length + targets.line.length === 0) useTargets(known);
    else if (!known) setText(targetSelect.options[0]!, t.loadFailed);
    loadTimer = setTimeout(() => void loadTargets(attempt + 1), backoffDelay(attempt, { baseMs: 1000, capMs: 15_000 }));
    return;
  }
  tokenError.hidden = true;
  const data = result.data;
  // An operator is offered its own sites only, an admin every site, other roles none: anything else
  // would be refused on submit.
  const scoped = data.viewer.role === 'OPERATOR';
  const reports = scoped || data.viewer.role === 'ADMIN';
  const mine = ({ slug }: { slug: string }) => reports && (!scoped || data.viewer.scope.includes(slug));
  const fresh = {
    checkpoint: data.checkpoints.edges.filter(({ node }) => mine(node)).map(({ node }) => ({ id: node.id, label: nameIn(lang, node) })),
    line: data.productionLines.edges
      .filter(({ node }) => mine(node))
      .map(({ node }) => ({ id: node.id, label: `${nameIn(lang, node)}（${nameIn(lang, node.product)}）` })),
  };
  const known: KnownTargets = {
    token: token()!,
    scoped,
    targets: fresh,
    signedIn: t.signedIn(data.viewer.label, data.viewer.role, data.viewer.role === 'ADMIN' ? null : fresh.checkpoint.length + fresh.line.length),
  };
  try {
    storage.setItem(TARGETS_KEY, JSON.stringify(known));
  } catch {
    // an offline start then waits for the server
  }
  useTargets(known);
}

function readKnownTargets(): KnownTargets | null {
  try {
    const known = JSON.parse(storage.getItem(TARGETS_KEY) ?? 'null') as KnownTargets | null;
    return known && known.token === token() ? known : null;
  } catch {
    return null;
  }
}

// ── the site's reports of today ────────────────────────────────────────────────────────────────
let siteRead = 0;
async function loadSiteReports(): Promise<void> {
  const id = correcting?.targetId ?? targetSelect.value;
  const read = ++siteRead;
  recent = null;
  if (!id || !token()) {
    todayCard.hidden = true;
    return;
  }
  const result = await client.query(SiteReportsQuery, { id }, { requestPolicy: 'network-only' }).toPromise();
  if (read !== siteRead) return; // another site was chosen meanwhile
  const node = result.data?.node;
  let rows: RecentReport[] | null = null;
  if (node?.__typename === 'Checkpoint') {
    rows = node.reports.edges.map(({ node: r }) => ({ id: r.id, periodStart: r.periodStart, periodEnd: r.periodEnd, figures: Object.fromEntries(COUNT_FIELDS.map((f) => [f, r[f]])) }));
  } else if (node?.__typename === 'ProductionLine') {
    rows = node.outputReports.edges.map(({ node: r }) => ({ id: r.id, periodStart: r.periodStart, periodEnd: r.periodEnd, figures: { produced: r.produced, passedQc: r.passedQc } }));
  }
  recent = rows;
  renderToday(rows);
}

function renderToday(rows: RecentReport[] | null): void {
  todayCard.hidden = false;
  if (!rows) {
    setText(todaySummary, t.todayUnavailable);
    todayList.replaceChildren();
    return;
  }
  const todays = reportsOfToday(rows, Date.now(), timeZone);
  const last = lastReported(rows);
  todaySummary.dataset.count = String(todays.length);
  setText(todaySummary, [todays.length ? `${t.todayCount(todays.length)}` : t.todayNone, last ? t.lastReported(periodText(last.periodStart, last.periodEnd)) : ''].filter(Boolean).join(' · '));
  // The figures an operator checks first; the rest are one tap away (更正 shows them all).
  const fields = kind === 'checkpoint' ? (['peopleScreened', 'feverCases'] as const) : OUTPUT_FIELDS;
  todayList.replaceChildren(
    ...todays.map((r) => {
      const button = h('button', { type: 'button', class: 'button small', 'data-testid': 'correct', 'data-report': r.id, text: t.correct });
      button.addEventListener('click', () => void startCorrection(r.id));
      return h(
        'li',
        { 'data-report': r.id },
        h('span', { class: 'today-period', text: `${formatHourMinute(Date.parse(r.periodStart), timeZone)}–${formatHourMinute(Date.parse(r.periodEnd), timeZone)}` }),
        h('span', { class: 'today-figures', text: fields.map((f) => `${t.fields[f]} ${formatCount(r.figures[f] ?? 0, lang)}`).join(' · ') }),
        button,
      );
    }),
  );
}

// ── errors ─────────────────────────────────────────────────────────────────────────────────────
function clearErrors(): void {
  for (const slot of errorSlots.values()) {
    slot.hidden = true;
    slot.textContent = '';
  }
  for (const input of [...numberInputs.values(), periodStart, periodEnd, targetSelect, reasonInput]) input.removeAttribute('aria-invalid');
  formError.hidden = true;
  formError.replaceChildren();
  delete formError.dataset.existingReport;
  delete formError.dataset.code;
  confirmPanel.hidden = true;
  awaitingConfirmation = null;
}

function showFieldError(field: string, message: string): boolean {
  const slot = errorSlots.get(field);
  if (!slot) return false;
  slot.hidden = false;
  slot.textContent = slot.textContent ? `${slot.textContent}；${message}` : message;
  const input = numberInputs.get(field) ?? (field === 'periodStart' ? periodStart : field === 'periodEnd' ? periodEnd : field === 'reason' ? reasonInput : field === 'checkpointId' || field === 'lineId' ? targetSelect : null);
  input?.setAttribute('aria-invalid', 'true');
  return true;
}

function showFormError(message: string): void {
  formError.hidden = false;
  formError.textContent = message;
}

/** A refusal in the page's words, with its code (so a call to the command room can name it). */
function refusalText(code: unknown, fallback?: string): string {
  if (typeof code !== 'string') return fallback ?? errorMessage(lang, 'UNKNOWN');
  return t.refusedWith(errorMessage(lang, code), code);
}

/** What a refusal that came as a GraphQL error (not a typed result) says. */
function refusalOf(error: unknown): { code: string; text: string } {
  const first = (error as CombinedError | undefined)?.graphQLErrors?.[0];
  const code = typeof first?.extensions?.code === 'string' ? first.extensions.code : 'UNKNOWN';
  return { code, text: refusalText(code, first?.message) };
}

// ── reading the form ───────────────────────────────────────────────────────────────────────────
/** The submission the form describes, or null after showing what to fix. */
function readPending(): PendingSubmission | null {
  clearErrors();
  if (!token()) {
    showFormError(t.tokenMissing);
    tokenInput.focus();
    return null;
  }
  const numbers = Object.fromEntries([...numberInputs].map(([field, input]) => [field, input.value]));
  const target = correcting?.targetId ?? targetSelect.value;
  const reading = readForm(
    { kind: correcting?.kind ?? kind, target, periodStart: periodStart.value, periodEnd: periodEnd.value, numbers, nothingToReport: nothingToReport.checked },
    correcting?.key ?? draftKey,
    timeZone,
  );
  const reasonMissing = !!correcting && !reasonInput.value.trim();
  if (reasonMissing) showFieldError('reason', t.reasonMissing);
  if (reading.ok && !reasonMissing) return reading.pending;
  if (!reading.ok) {
    for (const { field, problem, issue } of reading.problems) showFieldError(field, problem === 'rule' && issue ? issueText(lang, issue, timeZone) : t[problem as Exclude<typeof problem, 'rule'>]);
  }
  showFormError(t.fixFields);
  return null;
}

/** Asks the operator to look again at the flagged figures; `go` runs once confirmed (or at once with nothing flagged). */
function confirmThen(flags: Flag[], go: () => void): void {
  if (flags.length === 0) {
    go();
    return;
  }
  confirmList.replaceChildren(
    ...flags.map((f) =>
      h('li', { 'data-flag': f.kind, 'data-field': f.field, text: f.kind === 'zero' ? t.confirmZero(fieldLabel(lang, f.field)) : t.confirmUnusual(fieldLabel(lang, f.field), f.value, f.usual) }),
    ),
  );
  confirmPanel.hidden = false;
  awaitingConfirmation = go;
  confirmSend.focus();
  confirmPanel.scrollIntoView?.({ block: 'nearest' });
}
confirmSend.addEventListener('click', () => {
  const go = awaitingConfirmation;
  confirmPanel.hidden = true;
  awaitingConfirmation = null;
  go?.();
});
// A change after the figures were checked is asked about afresh: confirming must send what the form says.
for (const el of [inputs, reasonInput]) {
  el.addEventListener('input', () => {
    if (!awaitingConfirmation) return;
    confirmPanel.hidden = true;
    awaitingConfirmation = null;
  });
}
confirmBack.addEventListener('click', () => {
  confirmPanel.hidden = true;
  awaitingConfirmation = null;
  const first = confirmList.querySelector<HTMLElement>('li')?.dataset.field;
  if (first) numberInputs.get(first)?.focus();
});

form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (bound || (correcting && sending?.key === correcting.key)) return;
  let pending = readPending();
  if (!pending) return;
  // The same figures again keep the draft's key (a repeat of a report that may have arrived counts
  // once); changed figures are a new report with a new key, so an edit is never dropped for a retry.
  if (!correcting && draftSent && !sameFigures(draftSent, pending)) {
    draftKey = newIdempotencyKey();
    renderKey();
    pending = { ...pending, input: { ...pending.input, idempotencyKey: draftKey } } as PendingSubmission;
  }
  const fields = pending.kind === 'checkpoint' ? COUNT_FIELDS : OUTPUT_FIELDS;
  const flags = reviewFigures(fields, pending.input as unknown as Record<string, number>, pending.input, recent ?? [], {
    nothingToReport: nothingToReport.checked,
    ...(correcting ? { exclude: correcting.reportId } : {}),
  });
  const checked = pending;
  confirmThen(flags, () => (correcting ? void sendCorrection(checked) : submit(checked)));
});

// ── sending reports, oldest first ──────────────────────────────────────────────────────────────
function persist(): void {
  saveQueue(storage, queue);
  renderQueue();
}

function submit(pending: PendingSubmission): void {
  draftSent = pending;
  queue = enqueue(queue, pending);
  persist();
  if (navigator.onLine === false) {
    // No signal: keep it and let the operator write the next one.
    showQueued();
  } else {
    bound = pending.input.idempotencyKey;
    lockForm(true);
    statusLine.hidden = false;
    statusLine.dataset.state = 'submitting';
    setText(statusLine, t.submitting);
  }
  void pump();
}

/** The form no longer waits for its report: it is in the queue card, and a new draft starts. */
function showQueued(): void {
  bound = null;
  lockForm(false);
  startNewReport({ keepTarget: true });
  statusLine.hidden = false;
  statusLine.dataset.state = 'queued';
  setText(statusLine, t.queued(queue.filter((q) => !q.refused).length));
}

/** While its report is being sent the form cannot change (an edit would not be what is sent). */
function lockForm(locked: boolean): void {
  inputs.disabled = locked;
  reasonInput.disabled = locked;
  submitButton.disabled = locked;
  stopButton.hidden = !locked;
  queueButton.hidden = !locked;
  if (locked) setText(periodHint, t.lockedWhileSending);
  else showPeriodHint();
}

stopButton.addEventListener('click', () => {
  // Stopped: the report leaves the queue and its figures stay in the form to be edited or sent again.
  const key = bound;
  if (!key) return;
  if (sending?.key === key) sending.abort.abort();
  queue = without(queue, key);
  persist();
  bound = null;
  lockForm(false);
  statusLine.hidden = false;
  statusLine.dataset.state = 'stopped';
  setText(statusLine, t.stopped);
});

queueButton.addEventListener('click', () => {
  if (bound) showQueued();
});

async function sendOnce(item: QueuedReport): Promise<Attempt<unknown>> {
  queue = update(queue, item.pending.input.idempotencyKey, { attempts: (queue.find((q) => q.pending.input.idempotencyKey === item.pending.input.idempotencyKey)?.attempts ?? 0) + 1 });
  persist();
  const { pending } = item;
  return pending.kind === 'checkpoint'
    ? classify(await client.mutation(ReportCheckpointCountsMutation, { input: pending.input, withReport: readBack }).toPromise())
    : classify(await client.mutation(ReportProductionOutputMutation, { input: pending.input, withReport: readBack }).toPromise());
}

let pumping = false;
async function pump(): Promise<void> {
  if (pumping) return;
  pumping = true;
  try {
    for (let item = nextToSend(queue); item; item = nextToSend(queue)) {
      const key = item.pending.input.idempotencyKey;
      const abort = new AbortController();
      sending = { key, abort };
      renderQueue();
      const current = item;
      const options = {
        signal: abort.signal,
        onRetry: ({ retry, delayMs }: { retry: number; delayMs: number }) => {
          waiting = { key, retry, at: Date.now() + delayMs };
          renderQueue();
          tick();
        },
      };
      try {
        let data: unknown;
        let confirmedOnly = false;
        try {
          data = await submitWithRetry(() => sendOnce(current), options);
        } catch (error) {
          if (!(error instanceof SubmissionRefused && refusedOnlyTheReadBack(error.reason as CombinedError))) throw error;
          // Stored, but this token may not read the report back: ask again without it. The same key
          // makes that a duplicate of our own write, so the answer confirms it and nothing more.
          readBack = false;
          data = await submitWithRetry(() => sendOnce(current), options);
          confirmedOnly = true;
        }
        answered(current, readAnswer(data as Parameters<typeof readAnswer>[0]), confirmedOnly);
      } catch (error) {
        if (error instanceof DOMException && error.name === 'AbortError') continue; // stopped by the operator: already out of the queue
        const refusal = error instanceof SubmissionRefused ? refusalOf(error.reason) : { code: 'UNKNOWN', text: String(error) };
        refused(current, { kind: 'refused', code: refusal.code, message: refusal.text, conflict: false }, refusal.text);
      } finally {
        sending = null;
        waiting = null;
      }
    }
  } finally {
    pumping = false;
    renderQueue();
  }
}

function answered(item: QueuedReport, answer: Answer, confirmedOnly: boolean): void {
  const key = item.pending.input.idempotencyKey;
  if (answer.kind !== 'stored') {
    refused(item, answer, answerText(answer));
    return;
  }
  queue = without(queue, key);
  persist();
  if (bound === key) {
    bound = null;
    lockForm(false);
    statusLine.hidden = true;
    renderStored(item.pending, answer.payload, confirmedOnly, false);
  } else {
    delivered.unshift(t.queueSent(`${targetName(item.pending)} ${periodText(item.pending.input.periodStart, item.pending.input.periodEnd)}`));
    renderQueue();
  }
  void loadSiteReports();
}

function refused(item: QueuedReport, answer: Answer, text: string): void {
  const key = item.pending.input.idempotencyKey;
  if (bound === key) {
    // Shown in the form, which still holds its figures.
    queue = without(queue, key);
    persist();
    bound = null;
    lockForm(false);
    statusLine.hidden = true;
    showAnswer(answer);
  } else {
    queue = update(queue, key, { refused: { code: answer.kind === 'stored' ? '' : answer.code, text } });
    persist();
  }
}

/** The whole of a refusal in one text, for a report no longer in the form. */
function answerText(answer: Answer): string {
  if (answer.kind === 'invalid') return [refusalText(answer.code), ...answer.issues.map((i) => issueLine(lang, i.field, i, timeZone))].join('\n');
  if (answer.kind === 'overlap') return t.overlap(periodText(answer.existing.periodStart, answer.existing.periodEnd));
  if (answer.kind === 'refused') return refusalDetails(answer);
  return '';
}

function refusalDetails(answer: Extract<Answer, { kind: 'refused' }>): string {
  return [refusalText(answer.code), answer.field ? t.fieldNamed(fieldLabel(lang, answer.field)) : '', answer.day ? t.dayNamed(answer.day) : '', answer.conflict ? t.conflictHint : '']
    .filter(Boolean)
    .join('\n');
}

/** The answer to the report the form holds, shown by its fields. */
function showAnswer(answer: Answer): void {
  clearErrors();
  if (answer.kind === 'invalid') {
    const unplaced: string[] = [];
    for (const issue of answer.issues) {
      if (!showFieldError(issue.field, issueText(lang, issue, timeZone))) unplaced.push(issueLine(lang, issue.field, issue, timeZone));
    }
    showFormError([refusalText(answer.code), ...unplaced].join('\n'));
  } else if (answer.kind === 'overlap') {
    const period = periodText(answer.existing.periodStart, answer.existing.periodEnd);
    for (const field of ['periodStart', 'periodEnd']) showFieldError(field, period);
    showFormError(t.overlap(period));
    formError.dataset.existingReport = answer.existing.id;
    const offer = h('button', { type: 'button', class: 'button primary', 'data-testid': 'correct-existing', text: t.correctExisting });
    offer.addEventListener('click', () => void startCorrection(answer.existing.id));
    formError.append(h('br'), offer);
  } else if (answer.kind === 'refused') {
    showFormError(refusalDetails(answer));
    if (answer.conflict) formError.append(h('br'), newReportButton());
  }
  if (answer.kind !== 'stored') formError.dataset.code = answer.code;
}

// ── the queue card, and its countdown ──────────────────────────────────────────────────────────
function renderQueue(): void {
  offlineNote.hidden = navigator.onLine !== false;
  const shown = queue.filter((q) => q.pending.input.idempotencyKey !== bound || q.refused);
  queueCard.hidden = shown.length === 0 && delivered.length === 0;
  queueCard.dataset.waiting = String(queue.filter((q) => !q.refused).length);
  let ahead = 0;
  queueList.replaceChildren(
    ...shown.map((q) => {
      const key = q.pending.input.idempotencyKey;
      const state = q.refused ? 'refused' : sending?.key === key ? (waiting?.key === key ? 'retrying' : 'sending') : 'waiting';
      const line = q.refused
        ? `${t.queueRefused}${q.refused.text}`
        : state === 'retrying'
          ? t.queueRetry(secondsLeft())
          : state === 'sending'
            ? t.queueSending
            : t.queueWaiting(ahead);
      if (!q.refused) ahead++;
      const edit = h('button', { type: 'button', class: 'button small', 'data-testid': 'take-back', text: t.takeBack });
      edit.addEventListener('click', () => takeBack(key));
      const discard = h('button', { type: 'button', class: 'button small ghost', 'data-testid': 'discard', text: t.discard });
      discard.addEventListener('click', () => {
        if (sending?.key === key) sending.abort.abort();
        queue = without(queue, key);
        persist();
      });
      return h(
        'li',
        {
          'data-key': key,
          'data-state': state,
          ...(q.refused ? { 'data-code': q.refused.code } : {}),
          ...(state === 'retrying' ? { 'data-retry': waiting?.retry, 'data-seconds': secondsLeft() } : {}),
        },
        h('strong', { text: `${targetName(q.pending)} · ${periodText(q.pending.input.periodStart, q.pending.input.periodEnd)}` }),
        h('span', { class: 'queue-state', text: line }),
        h('span', { class: 'hint', text: `${t.key}: …${key.slice(-8)}` }),
        h('span', { class: 'actions' }, ...(bound === key ? [] : [edit, discard])),
      );
    }),
    ...delivered.slice(0, 5).map((text) => h('li', { 'data-state': 'delivered', text })),
  );
}

const secondsLeft = () => Math.max(0, Math.ceil(((waiting?.at ?? 0) - Date.now()) / 1000));

/** Once a second while a try waits: the countdown moves, in the status line and the queue card. */
function tick(): void {
  if (!waiting) return;
  const seconds = secondsLeft();
  if (waiting.key === bound) {
    statusLine.hidden = false;
    statusLine.dataset.state = 'retrying';
    statusLine.dataset.retry = String(waiting.retry);
    statusLine.dataset.seconds = String(seconds);
    setText(statusLine, t.retrying(waiting.retry, seconds));
  }
  // Only the waiting row's words change (its buttons stay the same elements under the finger).
  const row = queueList.querySelector<HTMLElement>(`li[data-key="${CSS.escape(waiting.key)}"]`);
  if (row?.dataset.state !== 'retrying' || row.dataset.retry !== String(waiting.retry)) {
    renderQueue();
    return;
  }
  row.dataset.seconds = String(seconds);
  const words = row.querySelector('.queue-state');
  if (words) setText(words, t.queueRetry(seconds));
}
setInterval(tick, 1000);
addEventListener('online', () => {
  renderQueue();
  void pump();
  void loadSiteReports();
});
addEventListener('offline', renderQueue);

/** A queued report back into the form, to change it; one tried before gets a new key once changed. */
function takeBack(key: string): void {
  const item = queue.find((q) => q.pending.input.idempotencyKey === key);
  if (!item || bound) return;
  if (sending?.key === key) sending.abort.abort();
  queue = without(queue, key);
  persist();
  cancelCorrectionMode();
  setKind(item.pending.kind);
  const target = item.pending.kind === 'checkpoint' ? item.pending.input.checkpointId : item.pending.input.lineId;
  targetSelect.value = target;
  periodStart.value = toZonedInputValue(Date.parse(item.pending.input.periodStart), timeZone);
  periodEnd.value = toZonedInputValue(Date.parse(item.pending.input.periodEnd), timeZone);
  showPeriodHint();
  for (const [field, input] of numberInputs) {
    const value = (item.pending.input as unknown as Record<string, number>)[field];
    input.value = value === undefined ? '' : String(value);
  }
  nothingToReport.checked = false;
  draftKey = key;
  draftSent = item.attempts > 0 ? item.pending : null;
  renderKey();
  resultCard.hidden = true;
  form.hidden = false;
  statusLine.hidden = true;
  if (item.refused) showFormError(item.refused.text);
  void loadSiteReports();
  form.scrollIntoView?.({ block: 'start' });
}

// ── corrections ────────────────────────────────────────────────────────────────────────────────
async function startCorrection(reportId: string): Promise<void> {
  if (bound) return;
  const result = await client.query(ReportByIdQuery, { id: reportId }, { requestPolicy: 'network-only' }).toPromise();
  const node = result.data?.node;
  if (!node || (node.__typename !== 'CheckpointReport' && node.__typename !== 'OutputReport')) {
    showFormError(result.error?.graphQLErrors[0] ? refusalOf(result.error).text : t.correctionLoadFailed);
    return;
  }
  const reportKind: ReportKind = node.__typename === 'CheckpointReport' ? 'checkpoint' : 'line';
  const targetId = node.__typename === 'CheckpointReport' ? node.checkpoint.id : node.line.id;
  setKind(reportKind);
  targetSelect.value = targetId;
  correcting = { kind: reportKind, reportId: node.id, targetId, periodStart: node.periodStart, periodEnd: node.periodEnd, key: newIdempotencyKey() };
  clearErrors();
  periodStart.value = toZonedInputValue(Date.parse(node.periodStart), timeZone);
  periodEnd.value = toZonedInputValue(Date.parse(node.periodEnd), timeZone);
  showPeriodHint();
  const figures = node as unknown as Record<string, number>;
  for (const field of reportKind === 'checkpoint' ? COUNT_FIELDS : OUTPUT_FIELDS) numberInputs.get(field)!.value = String(figures[field]);
  nothingToReport.checked = false;
  reasonInput.value = '';
  setText(correctionTitle, t.correctionTitle(`${targetSelect.selectedOptions[0]?.textContent ?? ''} ${periodText(node.periodStart, node.periodEnd)}`));
  correctionBanner.hidden = false;
  form.dataset.mode = 'correction';
  form.dataset.correcting = node.id;
  for (const el of [targetSelect, periodStart, periodEnd, nothingToReport, ...kindButtons]) el.disabled = true;
  setText(submitButton, t.submitCorrection);
  resultCard.hidden = true;
  form.hidden = false;
  statusLine.hidden = true;
  renderKey();
  void loadSiteReports();
  reasonInput.focus();
  form.scrollIntoView?.({ block: 'start' });
}

function cancelCorrectionMode(): void {
  if (!correcting) return;
  correcting = null;
  correctionBanner.hidden = true;
  delete form.dataset.mode;
  delete form.dataset.correcting;
  for (const el of [targetSelect, periodStart, periodEnd, nothingToReport, ...kindButtons]) el.disabled = false;
  setText(submitButton, t.submit);
  renderKey();
}
reasonInput.addEventListener('input', () => {
  const slot = errorSlots.get('reason');
  if (slot && reasonInput.value.trim()) {
    slot.hidden = true;
    slot.textContent = '';
    reasonInput.removeAttribute('aria-invalid');
  }
});
cancelCorrection.addEventListener('click', () => {
  cancelCorrectionMode();
  startNewReport({ keepTarget: true });
});

/** Corrections go out at once (not queued): they change a figure already counted, with the operator watching. */
async function sendCorrection(pending: PendingSubmission): Promise<void> {
  if (!correcting) return;
  const c = correcting;
  const abort = new AbortController();
  sending = { key: c.key, abort };
  lockForm(true);
  queueButton.hidden = true;
  statusLine.hidden = false;
  statusLine.dataset.state = 'submitting';
  setText(statusLine, t.submitting);
  const reason = reasonInput.value.trim();
  const send = async (): Promise<Attempt<unknown>> => {
    if (pending.kind === 'checkpoint') {
      const { checkpointId: _c, periodStart: _s, periodEnd: _e, idempotencyKey: _k, ...input } = pending.input;
      return classify(await client.mutation(CorrectCheckpointReportMutation, { reportId: c.reportId, input, reason, idempotencyKey: c.key }).toPromise());
    }
    return classify(await client.mutation(CorrectOutputReportMutation, { reportId: c.reportId, produced: pending.input.produced, passedQc: pending.input.passedQc, reason, idempotencyKey: c.key }).toPromise());
  };
  try {
    const data = await submitWithRetry(send, {
      signal: abort.signal,
      onRetry: ({ retry, delayMs }) => {
        waiting = { key: c.key, retry, at: Date.now() + delayMs };
        statusLine.dataset.state = 'retrying';
        setText(statusLine, t.retrying(retry, secondsLeft()));
      },
    });
    const answer = readAnswer(data as Parameters<typeof readAnswer>[0]);
    statusLine.hidden = true;
    if (answer.kind === 'stored') {
      const done = { ...pending, input: { ...pending.input, idempotencyKey: c.key } } as PendingSubmission;
      cancelCorrectionMode();
      renderStored(done, answer.payload, false, true);
      void loadSiteReports();
    } else showAnswer(answer);
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') {
      statusLine.dataset.state = 'stopped';
      setText(statusLine, t.stopped);
    } else {
      statusLine.hidden = true;
      showFormError(error instanceof SubmissionRefused ? refusalOf(error.reason).text : String(error));
    }
  } finally {
    sending = null;
    waiting = null;
    lockForm(false);
  }
}

// ── the answer ─────────────────────────────────────────────────────────────────────────────────
function targetName(pending: PendingSubmission): string {
  const id = pending.kind === 'checkpoint' ? pending.input.checkpointId : pending.input.lineId;
  return targets[pending.kind].find((x) => x.id === id)?.label ?? '';
}

function renderStored(pending: PendingSubmission, payload: StoredPayload, confirmedOnly: boolean, correction: boolean): void {
  // Tokens that may not read reports back get the server's confirmation only: the stored figures are
  // then the ones sent (a same-key retry with other figures would have been refused as a conflict).
  const { figures: r, fields, source, subject } = storedFigures(pending, payload);
  const subjectName = subject ? nameIn(lang, subject) : targetName(pending);
  // A duplicate answers our own earlier try under this key (a lost answer, a retry): it is success.
  const notice = correction ? t.corrected : confirmedOnly ? t.stored : payload.duplicate ? t.duplicate : t.stored;
  resultCard.replaceChildren(
    h('p', { class: 'notice ok', 'data-testid': 'duplicate', 'data-duplicate': confirmedOnly ? 'unknown' : String(payload.duplicate), 'data-correction': String(correction), text: notice }),
    h('h2', { text: subjectName }),
    h('p', { class: 'result-period', text: `${t.period}: ${periodText(r.periodStart, r.periodEnd)}` }),
    h(
      'dl',
      { class: 'stored', 'data-source': source },
      ...fields.flatMap((f) => [h('dt', { text: t.fields[f] ?? f }), h('dd', { 'data-field': f, 'data-value': String(r[f]), text: formatCount(r[f] ?? 0, lang) })]),
    ),
    ...(source === 'server' ? [] : [h('p', { class: 'hint', 'data-testid': 'as-sent', text: t.asSent })]),
    h('p', { class: 'hint', text: `${t.key}: ${pending.input.idempotencyKey}` }),
    newReportButton(),
  );
  resultCard.hidden = false;
  form.hidden = true;
  resultCard.scrollIntoView?.({ behavior: 'smooth', block: 'start' });
}

/** A period as the operator reads it: the zone's date and its two times, e.g. "2020-02-07 10:00–11:00". */
/**
 * The period as the page reads it, in the zone's time and the page's words: the browser's own date
 * control shows its values in the phone's language and format (AM/PM, month first), not the page's.
 */
function showPeriodHint(): void {
  if (inputs.disabled) return; // the hint says the form is locked while its report is sent
  const start = fromZonedLocal(periodStart.value, timeZone);
  const end = fromZonedLocal(periodEnd.value, timeZone);
  if (!start || !end || end <= start) {
    setText(periodHint, t.periodHint(timeZone));
    return;
  }
  const endDay = toZonedInputValue(end.getTime(), timeZone).slice(0, 10);
  const sameDay = endDay === toZonedInputValue(start.getTime(), timeZone).slice(0, 10);
  const period = periodText(start.toISOString(), end.toISOString()) + (sameDay ? '' : ` (${endDay})`);
  setText(periodHint, t.periodRead(timeZone, period, Math.round((end.getTime() - start.getTime()) / 60_000)));
}
for (const input of [periodStart, periodEnd]) input.addEventListener('input', showPeriodHint);

function periodText(start: string, end: string): string {
  const from = Date.parse(start);
  return `${toZonedInputValue(from, timeZone).slice(0, 10)} ${formatHourMinute(from, timeZone)}–${formatHourMinute(Date.parse(end), timeZone)}`;
}

function newReportButton(): HTMLButtonElement {
  const button = h('button', { type: 'button', class: 'button primary', 'data-testid': 'new-report', text: t.newReport });
  button.addEventListener('click', () => startNewReport({ keepTarget: true }));
  return button;
}

function startNewReport({ keepTarget = true } = {}): void {
  cancelCorrectionMode();
  draftKey = newIdempotencyKey();
  draftSent = null;
  renderKey();
  for (const input of numberInputs.values()) input.value = '';
  nothingToReport.checked = false;
  if (!keepTarget) targetSelect.value = '';
  clearErrors();
  setDefaultPeriod();
  resultCard.hidden = true;
  form.hidden = false;
  statusLine.hidden = true;
}

renderToken();
setKind(kind);
setDefaultPeriod();
renderKey();
renderQueue();
const known = readKnownTargets();
if (known) useTargets(known);
void loadTargets();
void pump();
