// The gate keeper's phone page (/gate): scan a pass with the camera (jsQR on video frames), from a
// photo, or type its code; see at once whether it is valid, suspended, of another compound or unknown
// (judged from the pass directory kept for offline use); every scan is queued in IndexedDB and uploaded
// in batches whenever the server can be reached, each under its own idempotency key.
import '../ui/base.css';
import './gate.css';
import { ErrorCode } from '@fangkong/zone';
import jsQR from 'jsqr';
import { readToken, storeToken, takeTokenFromUrl } from '../auth/token.ts';
import { nameIn, pickLang } from '../i18n/messages.ts';
import { h, setText } from '../ui/dom.ts';
import { createFangkongClient } from '../urql/client.ts';
import { codeHash, type Directory, indexDirectory, judge, type Verdict } from './code.ts';
import { gateMessages } from './messages.ts';
import { GatePassDirectoryQuery, GateTargetsQuery, RecordGateScansMutation } from './operations.ts';
import { indexedDbStore, type QueuedScan } from './queue.ts';
import { createUploader, type ScanAnswer } from './uploader.ts';

const lang = pickLang(location.search);
const t = gateMessages[lang];
document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
document.title = `${t.title} · ${t.zoneName}`;
const storage = window.localStorage;
takeTokenFromUrl({ location, history, storage });
const token = () => readToken(storage);
const client = createFangkongClient({ token });
const GATE_KEY = 'fangkong.gate';
const directoryKey = (gateId: string) => `fangkong.gateDirectory.${gateId}`;

// ── elements ───────────────────────────────────────────────────────────────────────────────────
const tokenInput = h('input', { type: 'password', autocomplete: 'off', 'aria-label': t.token, placeholder: 'fk_…' });
const tokenSave = h('button', { type: 'button', class: 'button primary', text: t.tokenSave });
const tokenLine = h('p', { class: 'hint', 'data-testid': 'token-line' });
const tokenChange = h('button', { type: 'button', class: 'button ghost', text: t.tokenChange });
const tokenBox = h('section', { class: 'card' }, h('label', { text: t.token }), h('div', { class: 'row' }, tokenInput, tokenSave), tokenLine, tokenChange);
const gateSelect = h('select', { 'data-testid': 'gate', 'aria-label': t.gate });
const directoryLine = h('p', { class: 'hint', 'data-testid': 'directory' });
const inButton = h('button', { type: 'button', class: 'direction', 'data-direction': 'IN', 'aria-pressed': 'true', text: t.in });
const outButton = h('button', { type: 'button', class: 'direction', 'data-direction': 'OUT', 'aria-pressed': 'false', text: t.out });
const temperature = h('input', { type: 'number', step: '0.1', min: '34', max: '43', inputmode: 'decimal', 'data-testid': 'temperature', 'aria-label': t.temperature, placeholder: t.temperature });
const verdictBox = h('output', { class: 'verdict', 'data-testid': 'verdict', hidden: true });
const video = h('video', { playsinline: true, muted: true, class: 'camera', hidden: true });
const cameraButton = h('button', { type: 'button', class: 'button', 'data-testid': 'camera', text: t.camera });
const photoInput = h('input', { type: 'file', accept: 'image/*', capture: 'environment', 'data-testid': 'photo', 'aria-label': t.photo });
const codeInput = h('input', { type: 'text', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', 'data-testid': 'code', placeholder: 'FKP…', 'aria-label': t.typed });
const recordButton = h('button', { type: 'submit', class: 'button primary', 'data-testid': 'record', text: t.record });
const typedForm = h('form', { class: 'row' }, codeInput, recordButton);
const waitingLine = h('p', { class: 'waiting', 'data-testid': 'waiting', role: 'status' });
const uploadLine = h('p', { class: 'hint', 'data-testid': 'upload' });
const recentList = h('ol', { class: 'recent', 'data-testid': 'recent' });
const cameraError = h('p', { class: 'hint', hidden: true });
document.body.replaceChildren(
  h(
    'main',
    { class: 'gate-page' },
    h('h1', { text: t.title }),
    tokenBox,
    h('section', { class: 'card' }, h('label', { text: t.gate }), gateSelect, directoryLine),
    h('section', { class: 'card' }, h('div', { class: 'row' }, inButton, outButton, temperature), verdictBox, video, h('div', { class: 'row' }, cameraButton, h('label', { class: 'button', text: t.photo }, photoInput)), cameraError, typedForm),
    h('section', { class: 'card' }, waitingLine, uploadLine, h('h2', { text: t.recent }), recentList),
  ),
);

// ── token and gates ────────────────────────────────────────────────────────────────────────────
function renderToken(label?: string): void {
  const current = token();
  tokenInput.parentElement!.hidden = !!current;
  tokenChange.hidden = !current;
  setText(tokenLine, current ? `${t.tokenSaved(current.slice(-4))}${label ? ` · ${label}` : ''}` : '');
}
tokenSave.addEventListener('click', () => {
  if (!tokenInput.value.trim()) return tokenInput.focus();
  storeToken(storage, tokenInput.value.trim());
  tokenInput.value = '';
  void loadGates();
});
tokenChange.addEventListener('click', () => {
  storeToken(storage, null);
  renderToken();
});

let directory: ReturnType<typeof indexDirectory> | null = null;
const gateId = () => gateSelect.value;

async function loadGates(): Promise<void> {
  renderToken();
  if (!token()) return;
  const result = await client.query(GateTargetsQuery, {}).toPromise();
  if (!result.data) {
    if (result.error?.graphQLErrors.some((e) => e.extensions?.code === ErrorCode.Unauthenticated)) {
      storeToken(storage, null);
      renderToken();
      setText(tokenLine, t.tokenRefused);
    }
    // Offline: keep the gate chosen before, and its directory.
    const remembered = storage.getItem(GATE_KEY);
    if (remembered && !gateSelect.options.length) gateSelect.replaceChildren(h('option', { value: remembered, text: remembered }));
    loadDirectoryFromStorage();
    return;
  }
  const { viewer, checkpoints } = result.data;
  renderToken(viewer.label);
  const gates = checkpoints.edges.map((e) => e.node).filter((g) => viewer.role === 'ADMIN' || (viewer.role === 'OPERATOR' && viewer.scope.includes(g.slug)));
  gateSelect.replaceChildren(...(gates.length ? gates.map((g) => h('option', { value: g.id, text: nameIn(lang, g) })) : [h('option', { value: '', text: t.noGates })]));
  const remembered = storage.getItem(GATE_KEY);
  if (remembered && gates.some((g) => g.id === remembered)) gateSelect.value = remembered;
  storage.setItem(GATE_KEY, gateSelect.value);
  await refreshDirectory();
  void uploader.flush();
}
gateSelect.addEventListener('change', () => {
  storage.setItem(GATE_KEY, gateSelect.value);
  void refreshDirectory();
});

function loadDirectoryFromStorage(): void {
  const saved = gateId() ? storage.getItem(directoryKey(gateId())) : null;
  directory = saved ? indexDirectory(JSON.parse(saved) as Directory) : null;
  setText(directoryLine, directory ? t.directoryAsOf(new Date(directory.asOf).toLocaleString(), directory.passes.length) : t.directoryMissing);
}

/** The pass directory from the server when it answers, else the copy kept from last time. */
async function refreshDirectory(): Promise<void> {
  if (gateId()) {
    const result = await client.query(GatePassDirectoryQuery, { checkpointId: gateId() }).toPromise();
    if (result.data) storage.setItem(directoryKey(gateId()), JSON.stringify(result.data.gatePassDirectory));
  }
  loadDirectoryFromStorage();
}

// ── scanning ───────────────────────────────────────────────────────────────────────────────────
let direction: 'IN' | 'OUT' = 'IN';
for (const button of [inButton, outButton]) {
  button.addEventListener('click', () => {
    direction = button.dataset.direction as 'IN' | 'OUT';
    inButton.setAttribute('aria-pressed', String(direction === 'IN'));
    outButton.setAttribute('aria-pressed', String(direction === 'OUT'));
  });
}

function showVerdict(verdict: Verdict): void {
  verdictBox.hidden = false;
  verdictBox.dataset.verdict = verdict;
  setText(verdictBox, t.verdicts[verdict]);
}

const rows = new Map<string, HTMLLIElement>();
function addRecent(scan: QueuedScan): void {
  const row = h('li', { 'data-key': scan.idempotencyKey, 'data-verdict': scan.deviceVerdict, text: `${new Date(scan.scannedAt).toLocaleTimeString()} · ${scan.direction === 'IN' ? t.in : t.out} · ${t.verdicts[scan.deviceVerdict as Verdict]}` });
  rows.set(scan.idempotencyKey, row);
  recentList.prepend(row);
  while (recentList.children.length > 20) recentList.lastElementChild!.remove();
}

let lastCode = '';
let lastAt = 0;
/** One scan: judged at once from the directory, queued, uploaded when possible. */
async function scanned(code: string): Promise<void> {
  const now = Date.now();
  // The camera sees the same card several times a second: one scan per card per 3 s.
  if (code === lastCode && now - lastAt < 3000) return;
  lastCode = code;
  lastAt = now;
  const verdict: Verdict = directory ? judge(directory, await codeHash(code)) : 'UNKNOWN';
  showVerdict(verdict);
  navigator.vibrate?.(verdict === 'VALID' ? 80 : [200, 100, 200]);
  const value = temperature.value.trim() === '' ? null : Number(temperature.value);
  const scan: QueuedScan = { gateId: gateId(), idempotencyKey: crypto.randomUUID(), code, direction, temperature: value, scannedAt: new Date(now).toISOString(), deviceVerdict: verdict };
  temperature.value = '';
  addRecent(scan);
  await uploader.add(scan);
}

typedForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const code = codeInput.value.trim();
  if (!code) return codeInput.focus();
  codeInput.value = '';
  lastCode = '';
  void scanned(code);
});

const canvas = document.createElement('canvas');
const context = canvas.getContext('2d', { willReadFrequently: true })!;
/** The QR code's text in an image, or null. */
function decode(source: CanvasImageSource, width: number, height: number): string | null {
  canvas.width = width;
  canvas.height = height;
  context.drawImage(source, 0, 0, width, height);
  return jsQR(context.getImageData(0, 0, width, height).data, width, height)?.data ?? null;
}

photoInput.addEventListener('change', async () => {
  const file = photoInput.files?.[0];
  photoInput.value = '';
  if (!file) return;
  const bitmap = await createImageBitmap(file);
  const code = decode(bitmap, bitmap.width, bitmap.height);
  if (code) {
    lastCode = '';
    void scanned(code);
  } else {
    cameraError.hidden = false;
    setText(cameraError, t.photoFailed);
  }
});

let stream: MediaStream | null = null;
async function startCamera(): Promise<void> {
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
  } catch (error) {
    cameraError.hidden = false;
    setText(cameraError, t.cameraFailed((error as Error).name));
    return;
  }
  cameraError.hidden = true;
  video.srcObject = stream;
  video.hidden = false;
  await video.play();
  setText(cameraButton, t.cameraStop);
  const tick = () => {
    if (!stream) return;
    if (video.videoWidth) {
      const code = decode(video, video.videoWidth, video.videoHeight);
      if (code) void scanned(code);
    }
    setTimeout(() => requestAnimationFrame(tick), 150);
  };
  tick();
}
function stopCamera(): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
  stream = null;
  video.hidden = true;
  setText(cameraButton, t.camera);
}
cameraButton.addEventListener('click', () => (stream ? stopCamera() : void startCamera()));

// ── uploading ──────────────────────────────────────────────────────────────────────────────────
async function send(checkpointId: string, scans: QueuedScan[]): Promise<ScanAnswer[]> {
  const result = await client
    .mutation(RecordGateScansMutation, {
      checkpointId,
      scans: scans.map(({ idempotencyKey, code, direction, temperature, scannedAt, deviceVerdict }) => ({ idempotencyKey, code, direction, temperature, scannedAt, deviceVerdict: deviceVerdict as Verdict })),
    })
    .toPromise();
  const payload = result.data?.recordGateScans;
  if (payload?.__typename === 'GateScanBatchPayload') return payload.results as ScanAnswer[];
  // Not answered (offline, server down, refused): the batch stays queued and is tried again.
  throw new Error(payload && 'message' in payload ? payload.message : (result.error?.message ?? 'no answer'));
}

const uploader = createUploader(indexedDbStore(), send, {
  onWaiting: (n) => {
    waitingLine.dataset.count = String(n);
    setText(waitingLine, t.waiting(n));
    if (!n) setText(uploadLine, '');
  },
  onAnswer: (scan, answer) => {
    const row = rows.get(scan.idempotencyKey);
    if (!row || !answer.verdict) return;
    row.dataset.server = answer.verdict;
    if (answer.verdict !== scan.deviceVerdict) row.append(` · ${t.serverDiffers(t.verdicts[answer.verdict as Verdict])}`);
  },
  onFailure: (_error, retryInMs) => setText(uploadLine, t.offline(Math.round(retryInMs / 1000))),
});
window.addEventListener('online', () => {
  void uploader.flush();
  void refreshDirectory();
});

void loadGates();
void uploader.flush();
