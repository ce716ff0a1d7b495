// The operator's report page: state and wiring. The elements are built in view.ts; what a form or
// an answer means is decided in controller.ts.
import type { CombinedError } from '@urql/core';
import '../ui/base.css';
import './report.css';
import { DEFAULT_TIME_ZONE, ErrorCode, lastFullHour } from '@fangkong/zone';
import { readToken, storeToken, takeTokenFromUrl } from '../auth/token.ts';
import { formatCount } from '../format/number.ts';
import { formatHourMinute, toZonedInputValue } from '../format/time.ts';
import { nameIn, pickLang } from '../i18n/messages.ts';
import { backoffDelay } from '../live/backoff.ts';
import { h, setText } from '../ui/dom.ts';
import { createFangkongClient } from '../urql/client.ts';
import { type CheckpointResult, type LineResult, readAnswer, readForm, type StoredPayload, storedFigures } from './controller.ts';
import { clearPending, type CheckpointInput, type LineInput, loadPending, newIdempotencyKey, type PendingSubmission, type ReportKind, savePending } from './draft.ts';
import { reportMessages } from './messages.ts';
import { ReportCheckpointCountsMutation, ReportProductionOutputMutation, ReportTargetsQuery } from './operations.ts';
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
let inFlight: AbortController | null = null;
/**
 * Whether to ask for the stored report in the answer. Operators may read the reports of their own
 * sites; should a server refuse that read, the write has still happened, and the page stops asking.
 */
let readBack = true;

// ── token ──────────────────────────────────────────────────────────────────────────────────────
const view = buildReportView(t, lang);
document.body.replaceChildren(view.page);
const { tokenInput, tokenSave, tokenEdit, tokenShownText, tokenChange, tokenShown, tokenError, kindButtons, targetLabel, targetSelect, periodStart, periodEnd, periodHint, errorSlots, numberInputs, countsGroup, outputGroup, nothingToReport, formError, statusLine, submitButton, stopButton, keyLine, form, resultCard, pendingBanner } = view;


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
}
for (const b of kindButtons) b.addEventListener('click', () => setKind(b.dataset.kind as ReportKind));

function renderTargets(): void {
  const remembered = storage.getItem(`fangkong.reportTarget.${kind}`);
  const list = targets[kind];
  const empty = signedIn ? t.noTargets(t.target[kind]) : t.loading;
  targetSelect.replaceChildren(h('option', { value: '', text: list.length ? t.choose : empty }), ...list.map((x) => h('option', { value: x.id, text: x.label })));
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
  // Asked afresh each time: the answer depends on the token, which may have just changed.
  const result = await client.query(ReportTargetsQuery, {}, { requestPolicy: 'network-only' }).toPromise();
  if (!result.data) {
    const refused = result.error?.graphQLErrors.find((e) => e.extensions?.code === ErrorCode.Unauthenticated);
    if (refused) {
      // The token is refused: it is not kept (a wrong token must not look saved), and the page waits
      // for another one rather than retry.
      storeToken(storage, null);
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
      setText(targetSelect.options[0]!, other.message);
      return;
    }
    setText(targetSelect.options[0]!, t.loadFailed);
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
  targets = {
    checkpoint: data.checkpoints.edges.filter(({ node }) => mine(node)).map(({ node }) => ({ id: node.id, label: nameIn(lang, node) })),
    line: data.productionLines.edges
      .filter(({ node }) => mine(node))
      .map(({ node }) => ({ id: node.id, label: `${nameIn(lang, node)}（${nameIn(lang, node.product)}）` })),
  };
  signedIn = t.signedIn(data.viewer.label, data.viewer.role, data.viewer.role === 'ADMIN' ? null : targets.checkpoint.length + targets.line.length);
  renderToken();
  // An operator of lines only (or checkpoints only) starts on what it reports.
  if (scoped && targets[kind].length === 0 && targets[kind === 'checkpoint' ? 'line' : 'checkpoint'].length > 0) setKind(kind === 'checkpoint' ? 'line' : 'checkpoint');
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
  delete formError.dataset.existingReport;
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

/** The submission the form describes, or null after showing what to fix. */
function readPending(): PendingSubmission | null {
  clearErrors();
  if (!token()) {
    showFormError(t.tokenMissing);
    tokenInput.focus();
    return null;
  }
  const numbers = Object.fromEntries([...numberInputs].map(([field, input]) => [field, input.value]));
  const reading = readForm(
    { kind, target: targetSelect.value, periodStart: periodStart.value, periodEnd: periodEnd.value, numbers, nothingToReport: nothingToReport.checked },
    draftKey,
    timeZone,
  );
  if (reading.ok) return reading.pending;
  for (const { field, problem } of reading.problems) showFieldError(field, t[problem]);
  showFormError(t.fixFields);
  return null;
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
  const pending = readPending();
  if (pending) void submit(pending);
});

function showAnswer(pending: PendingSubmission, data: CheckpointResult | LineResult, confirmedOnly = false): void {
  const answer = readAnswer(data);
  if (answer.kind === 'stored') {
    renderStored(pending, answer.payload, confirmedOnly);
    return;
  }
  if (answer.kind === 'invalid') {
    let unplaced = '';
    for (const issue of answer.issues) {
      if (!showFieldError(issue.field, issue.message)) unplaced += `${issue.field}: ${issue.message}\n`;
    }
    showFormError(unplaced.trim() || answer.message || t.fixFields);
  } else if (answer.kind === 'overlap') {
    const period = periodText(answer.existing.periodStart, answer.existing.periodEnd);
    for (const field of ['periodStart', 'periodEnd']) showFieldError(field, period);
    showFormError(t.overlap(period));
    formError.dataset.existingReport = answer.existing.id;
  } else {
    showFormError(`${answer.message} (${answer.code})${answer.conflict ? `\n${t.conflictHint}` : ''}`);
    if (answer.conflict) offerNewReport();
  }
  formError.dataset.code = answer.code;
}

function renderStored(pending: PendingSubmission, payload: StoredPayload, confirmedOnly: boolean): void {
  // Tokens that may not read reports back get the server's confirmation only: the stored figures are
  // then the ones sent (a same-key retry with other figures would have been refused as a conflict).
  const { figures: r, fields, source, subject, targetId } = storedFigures(pending, payload);
  const subjectName = subject ? nameIn(lang, subject) : (targets[pending.kind].find((x) => x.id === targetId)?.label ?? '');
  resultCard.replaceChildren(
    confirmedOnly
      ? h('p', { class: 'notice ok', 'data-testid': 'duplicate', 'data-duplicate': 'unknown', text: t.stored })
      : h('p', { class: payload.duplicate ? 'notice duplicate' : 'notice ok', 'data-testid': 'duplicate', 'data-duplicate': String(payload.duplicate), text: payload.duplicate ? t.duplicate : t.stored }),
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
function periodText(periodStart: string, periodEnd: string): string {
  const start = Date.parse(periodStart);
  return `${toZonedInputValue(start, timeZone).slice(0, 10)} ${formatHourMinute(start, timeZone)}–${formatHourMinute(Date.parse(periodEnd), timeZone)}`;
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
  nothingToReport.checked = false;
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
