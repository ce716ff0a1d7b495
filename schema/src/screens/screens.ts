import { randomUUID } from 'node:crypto';
import { $Enums, type Prisma, type Screen } from '@fangkong/prisma';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { Repeater } from '@repeaterjs/repeater';
import { ErrorCode } from '@fangkong/zone';
import { builder } from '../core/builder.ts';
import { type Change, commitChange } from '../core/changes.ts';
import type { Context } from '../core/context.ts';
import { userError } from '../core/errors.ts';
import { prismaEnum } from '../core/enums.ts';
import { liveFeed, snapshot } from '../core/live-values.ts';
import { Rules } from '../core/rules.ts';
import { NotFoundError, ValidationError } from '../core/write-errors.ts';
import { presenceOf, silentSince } from './presence.ts';

// Wall displays (大屏) of the command room: each registers itself when it opens its instructions
// (`screenSession`, over its live connection), reports how it is (`reportScreen`), and obeys what
// admins tell it (`commandScreens`). Commands are outbox events, so they reach a screen whichever
// instance holds its connection; what a command sets (view, playlist, language) is kept on the
// screen's row too, so a screen that connects later shows it at once.

export const ScreenView = prismaEnum($Enums.ScreenView, 'ScreenView', "What a wall display shows: the whole wall or one group of its panels, alone and larger.", {
  OVERVIEW: 'The whole wall: figures, alerts, reporting, ranking, chart, stock and production.',
  CHECKPOINTS: "Checkpoints: today's figures, the ranking of checkpoints and the hourly chart.",
  PRODUCTION: 'Production and supplies: mask lines and stock.',
  ALERTS: 'Alerts and reporting this hour, alone.',
  COMMAND_WORK: "Command work: the latest meeting's directives with their tasks, inspection findings per unit, resumption applications waiting.",
});

export const ScreenLanguage = prismaEnum($Enums.ScreenLanguage, 'ScreenLanguage', 'The language a wall display speaks.', {
  ZH: 'Chinese.',
  EN: 'English.',
});

const ScreenAction = builder.enumType('ScreenAction', {
  description: 'What an admin tells wall displays to do.',
  values: {
    SHOW_VIEW: { value: 'SHOW_VIEW', description: 'Show one view (`view`), ending a playlist.' },
    PLAY: { value: 'PLAY', description: 'Rotate through views (`playlist`, at least two), each for `playlistSeconds`.' },
    SET_LANGUAGE: { value: 'SET_LANGUAGE', description: 'Speak another language (`language`); the page reloads in it.' },
    RELOAD: { value: 'RELOAD', description: 'Reload the page (keeping its token and settings).' },
  } as const,
});
type ScreenActionName = 'SHOW_VIEW' | 'PLAY' | 'SET_LANGUAGE' | 'RELOAD';

/** Limits of what screens and admins send, named once. */
export const SCREEN_LIMITS = { name: 60, location: 100, clientVersion: 100, minPlaylistSeconds: 2, maxPlaylistSeconds: 3600, maxPlaylist: 10, lagCap: 10_000 } as const;

export const ScreenRef = builder.prismaNode('Screen', {
  nullable: true,
  authScopes: { command: true },
  description: 'A wall display (大屏), registered by itself with its display token, name and location; live while a server instance holds its connection.',
  id: { field: 'id' },
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Its name, e.g. 指挥中心主屏 (given in its URL once, `?screen=`).' }),
    location: t.exposeString('location', { nullable: true, description: 'Where it hangs (`?location=`).' }),
    registeredAt: t.expose('registeredAt', { type: 'DateTime', description: 'When it first connected.' }),
    live: t.boolean({ description: 'Whether a server instance holds its live connection now (heartbeat within FANGKONG_SCREEN_SILENT_AFTER_MS).', resolve: (s, _a, ctx) => !silentSince(s, ctx.now(), presenceOf(ctx).silentAfterMs) }),
    silentSince: t.field({ type: 'DateTime', nullable: true, description: 'Since when it is silent (its connection ended, or its last heartbeat); null while live.', resolve: (s, _a, ctx) => silentSince(s, ctx.now(), presenceOf(ctx).silentAfterMs) }),
    connectedSince: t.expose('connectedSince', { type: 'DateTime', nullable: true, description: 'Since when its current (or last) connection is open.' }),
    heartbeatAt: t.expose('heartbeatAt', { type: 'DateTime', nullable: true, description: 'The last heartbeat the instance holding its connection wrote.' }),
    reportedAt: t.expose('reportedAt', { type: 'DateTime', nullable: true, description: 'When it last reported how it is.' }),
    clientVersion: t.exposeString('clientVersion', { nullable: true, description: 'The client build it runs (the wall page’s entry script).' }),
    asOfSeq: t.field({ type: 'Seq', nullable: true, description: 'The last outbox event the figures it shows include.', resolve: (s) => s.asOfSeq }),
    lagEvents: t.exposeInt('lagEvents', { nullable: true, description: `Outbox events committed after asOfSeq when it reported (counted up to ${SCREEN_LIMITS.lagCap}).` }),
    reconnectsLastHour: t.exposeInt('reconnectsLastHour', { description: 'How often its live connection was re-opened in the hour before its report.' }),
    memoryBytes: t.float({ nullable: true, description: "The page's JavaScript heap in use (performance.memory, Chromium only); null where the browser does not tell.", resolve: (s) => (s.memoryBytes === null ? null : Number(s.memoryBytes)) }),
    shownView: t.expose('shownView', { type: ScreenView, nullable: true, description: 'The view it said it shows.' }),
    shownLanguage: t.expose('shownLanguage', { type: ScreenLanguage, nullable: true, description: 'The language it said it speaks.' }),
    playing: t.exposeBoolean('playing', { description: 'Whether it said it rotates a playlist.' }),
    view: t.expose('view', { type: ScreenView, description: 'The view admins set (the first of the playlist while one plays).' }),
    playlist: t.field({ type: [ScreenView], description: 'The playlist admins set; empty: none.', resolve: (s) => s.playlist }),
    playlistSeconds: t.exposeInt('playlistSeconds', { nullable: true, description: 'Seconds per view of the playlist.' }),
    language: t.expose('language', { type: ScreenLanguage, nullable: true, description: 'The language admins set; null: as its URL says.' }),
    lastCommandId: t.exposeString('lastCommandId', { nullable: true, description: 'The last command sent to it.' }),
    lastCommandAt: t.expose('lastCommandAt', { type: 'DateTime', nullable: true, description: 'When.' }),
    acknowledgedCommandId: t.exposeString('acknowledgedCommandId', { nullable: true, description: 'The last command it obeyed.' }),
    acknowledgedAt: t.expose('acknowledgedAt', { type: 'DateTime', nullable: true, description: 'When it said so.' }),
  }),
});

/** What the outbox and the audit trail say about a screen: no token, no personal data (there is none). */
const screenPayload = (s: Screen) => ({ screenId: s.id, name: s.name, location: s.location });
const auditable = (s: Screen | null | undefined) => s && { ...s, asOfSeq: s.asOfSeq === null ? null : String(s.asOfSeq), memoryBytes: s.memoryBytes === null ? null : String(s.memoryBytes) };
const screenChange = (type: 'screen:connected' | 'screen:disconnected' | 'screen:acknowledged' | 'screen:renamed', after: Screen, before: Screen | null): Change => ({
  type,
  entityType: 'Screen',
  entityId: after.id,
  before: auditable(before),
  after: auditable(after),
  payload: screenPayload(after),
});

builder.queryFields((t) => ({
  screens: t.prismaField({
    authScopes: { command: true },
    type: ['Screen'],
    description: 'Every wall display, live or silent, by name (admins and commanders).',
    resolve: (query, _root, _args, ctx) => ctx.prisma.screen.findMany({ ...query, orderBy: [{ name: 'asc' }, { id: 'asc' }] }),
  }),
}));

// ───────────────────────────── a screen's own session ─────────────────────────────

type InstructionKind = 'SETTINGS' | 'COMMAND' | 'NEW_BUILD' | 'RENAMED';

interface Instruction {
  kind: InstructionKind;
  screenId: string;
  name: string;
  location: string | null;
  commandId: string | null;
  action: ScreenActionName | null;
  view: $Enums.ScreenView | null;
  playlist: $Enums.ScreenView[];
  playlistSeconds: number | null;
  language: $Enums.ScreenLanguage | null;
  clientBuild: string | null;
  reportEveryMs: number;
}

const InstructionKindEnum = builder.enumType('ScreenInstructionKind', {
  description: 'What a screen instruction carries.',
  values: {
    SETTINGS: { value: 'SETTINGS', description: 'First: what the screen should show (as admins last set it), and the client build served.' },
    COMMAND: { value: 'COMMAND', description: 'An admin’s command; obey it and acknowledge it with reportScreen.' },
    NEW_BUILD: { value: 'NEW_BUILD', description: 'A new client build is served: reload at a quiet moment.' },
    RENAMED: { value: 'RENAMED', description: 'An admin renamed or moved the screen: keep the new name and location.' },
  } as const,
});

const ScreenInstructionRef = builder.objectRef<Instruction>('ScreenInstruction').implement({
  description: 'What a wall display is told over its live connection.',
  fields: (t) => ({
    kind: t.field({ type: InstructionKindEnum, description: 'Settings, a command, or a new build.', resolve: (i) => i.kind }),
    screenId: t.id({ description: 'The screen’s id (global), for reportScreen and the next session.', resolve: (i) => encodeGlobalID('Screen', i.screenId) }),
    name: t.string({ description: 'The screen’s name as registered (an admin may have changed it).', resolve: (i) => i.name }),
    location: t.string({ nullable: true, description: 'Where it hangs, as registered.', resolve: (i) => i.location }),
    commandId: t.string({ nullable: true, description: 'The command to acknowledge.', resolve: (i) => i.commandId }),
    action: t.field({ type: ScreenAction, nullable: true, description: 'What the command asks.', resolve: (i) => i.action }),
    view: t.field({ type: ScreenView, nullable: true, description: 'The view to show.', resolve: (i) => i.view }),
    playlist: t.field({ type: [ScreenView], description: 'Views to rotate (empty: none).', resolve: (i) => i.playlist }),
    playlistSeconds: t.int({ nullable: true, description: 'Seconds per view.', resolve: (i) => i.playlistSeconds }),
    language: t.field({ type: ScreenLanguage, nullable: true, description: 'The language to speak (null: as the URL says).', resolve: (i) => i.language }),
    clientBuild: t.string({ nullable: true, description: 'The client build the server serves now (the wall page’s entry script); a page running another reloads at a quiet moment.', resolve: (i) => i.clientBuild }),
    reportEveryMs: t.int({ description: 'How often to report with reportScreen.', resolve: (i) => i.reportEveryMs }),
  }),
});

const settingsOf = (s: Screen) => ({ view: s.view, playlist: s.playlist, playlistSeconds: s.playlistSeconds, language: s.language });

/** Whether a command's event is meant for a screen (no screen ids: every screen). */
const commandFor = (payload: Record<string, unknown>, screenId: string) => payload.screenIds === null || (Array.isArray(payload.screenIds) && payload.screenIds.includes(screenId));

function checkScreenText(rules: Rules, args: { name: string; location?: string | null; clientVersion?: string | null }): Rules {
  return rules
    .text('name', args.name, { required: true, max: SCREEN_LIMITS.name })
    .text('location', args.location, { max: SCREEN_LIMITS.location })
    .text('clientVersion', args.clientVersion, { max: SCREEN_LIMITS.clientVersion });
}

builder.subscriptionFields((t) => ({
  screenSession: t.field({
    authScopes: { screen: true },
    type: ScreenInstructionRef,
    description:
      'A wall display’s own live session (display tokens): registers the screen (its token and name; the location is updated), keeps it live while the connection stays open (the instance holding it writes its heartbeat), sends its settings first, then every admin command for it and news of a new client build.',
    args: {
      name: t.arg.string({ required: true, description: `The screen’s name, e.g. 指挥中心主屏 (at most ${SCREEN_LIMITS.name} characters).` }),
      location: t.arg.string({ required: false, description: `Where it hangs (at most ${SCREEN_LIMITS.location}).` }),
      clientVersion: t.arg.string({ required: false, description: 'The client build the page runs.' }),
      screenId: t.arg.globalID({
        for: ScreenRef,
        required: false,
        description: 'The id a previous session gave (kept by the page): that screen, of this token, connects again under the name and location an admin may have given it since; ignored when it names none.',
      }),
    },
    subscribe: async (_root, args, ctx) => {
      // A subscription has no error union: a broken rule is the operation's BAD_USER_INPUT error.
      try {
        checkScreenText(new Rules(), args).check();
      } catch (error) {
        if (error instanceof ValidationError) throw userError(error.message, ErrorCode.BadUserInput, { issues: error.issues });
        throw error;
      }
      const live = liveFeed(ctx);
      const presence = presenceOf(ctx);
      const viewer = ctx.viewer!;
      const name = args.name.trim();
      const location = args.location?.trim() || null;
      // Commands committed after this position come as events; those before are on the row.
      const { asOfSeq } = await snapshot(ctx, []);
      const connectedSince = ctx.now();
      const screen = await commitChange(ctx, async (tx) => {
        const connection = { connectedSince, instanceId: presence.instanceId, heartbeatAt: connectedSince, disconnectedAt: null, clientVersion: args.clientVersion?.trim() || null };
        // A screen that knows its id keeps the name and location on its row (an admin's, perhaps set while it was away).
        const known = args.screenId ? await tx.screen.findFirst({ where: { id: args.screenId.id, tokenId: viewer.tokenId } }) : null;
        if (known) {
          const after = await tx.screen.update({ where: { id: known.id }, data: connection });
          return { value: after, change: screenChange('screen:connected', after, known) };
        }
        const before = await tx.screen.findUnique({ where: { tokenId_name: { tokenId: viewer.tokenId, name } } });
        const after = await tx.screen.upsert({
          where: { tokenId_name: { tokenId: viewer.tokenId, name } },
          create: { tokenId: viewer.tokenId, name, location, registeredAt: connectedSince, ...connection },
          update: { ...connection, location },
        });
        return { value: after, change: screenChange('screen:connected', after, before) };
      });
      const base = { screenId: screen.id, reportEveryMs: presence.heartbeatMs };
      let naming = { name: screen.name, location: screen.location };
      const none = { commandId: null, action: null, view: null, playlist: [], playlistSeconds: null, language: null };
      return new Repeater<Instruction>(async (push, stop) => {
        let build = presence.clientBuild();
        await push({ ...base, ...naming, kind: 'SETTINGS', commandId: null, action: null, ...settingsOf(screen), clientBuild: build });
        // This instance holds the connection: it says so every heartbeat, and passes on a new build.
        const beat = setInterval(() => {
          ctx.prisma.screen
            .updateMany({ where: { id: screen.id, instanceId: presence.instanceId, connectedSince }, data: { heartbeatAt: ctx.now() } })
            .catch(() => {});
          const served = presence.clientBuild();
          if (served !== build) {
            build = served;
            void push({ ...base, ...naming, ...none, kind: 'NEW_BUILD', clientBuild: build });
          }
        }, presence.heartbeatMs);
        const events = live
          .events(asOfSeq, (e) => (e.type === 'screen:commanded' && commandFor(e.payload, screen.id)) || (e.type === 'screen:renamed' && e.subjectId === screen.id))
          [Symbol.asyncIterator]();
        stop.then(() => events.return?.());
        try {
          for (;;) {
            const next = await Promise.race([events.next(), stop.then(() => null)]);
            if (!next || next.done) break;
            if (next.value.type === 'screen:renamed') {
              naming = { name: String(next.value.payload.name), location: (next.value.payload.location as string | null) ?? null };
              await push({ ...base, ...naming, ...none, kind: 'RENAMED', clientBuild: build });
              continue;
            }
            const p = next.value.payload as unknown as CommandPayload;
            await push({ ...base, ...naming, kind: 'COMMAND', commandId: p.commandId, action: p.action, view: p.view, playlist: p.playlist, playlistSeconds: p.playlistSeconds, language: p.language, clientBuild: build });
          }
          stop();
        } catch (error) {
          stop(error);
        } finally {
          clearInterval(beat);
          await disconnect(ctx, screen.id, connectedSince).catch(() => {});
        }
      });
    },
    resolve: (instruction) => instruction,
  }),
}));

/** The connection ended: said at once (the heartbeat's age would say it later), unless a newer connection took the screen over. */
async function disconnect(ctx: Context, screenId: string, connectedSince: Date): Promise<void> {
  const { instanceId } = presenceOf(ctx);
  await commitChange(ctx, async (tx) => {
    const before = await tx.screen.findUnique({ where: { id: screenId } });
    const [after] = await tx.screen.updateManyAndReturn({ where: { id: screenId, instanceId, connectedSince, disconnectedAt: null }, data: { disconnectedAt: ctx.now(), instanceId: null } });
    return after && before ? { value: after, change: screenChange('screen:disconnected', after, before) } : { value: null, change: null };
  });
}

// ───────────────────────────── reports ─────────────────────────────

const ScreenReportPayload = builder.objectRef<{ reportedAt: Date; lagEvents: number | null }>('ScreenReportPayload').implement({
  description: 'The report as stored.',
  fields: (t) => ({
    reportedAt: t.field({ type: 'DateTime', description: 'When it was stored.', resolve: (p) => p.reportedAt }),
    lagEvents: t.int({ nullable: true, description: 'Outbox events after the screen’s asOfSeq.', resolve: (p) => p.lagEvents }),
  }),
});

builder.mutationFields((t) => ({
  reportScreen: t.field({
    authScopes: { screen: true },
    type: ScreenReportPayload,
    description:
      'A wall display reports how it is, over its live connection (display tokens, for their own screens): what it shows, the last outbox event its figures include, reconnects in the last hour, its memory; and acknowledges a command it obeyed (audited).',
    errors: { types: [ValidationError, NotFoundError] },
    args: {
      screenId: t.arg.globalID({ for: ScreenRef, required: true, description: 'The screen (from its session’s instructions).' }),
      asOfSeq: t.arg({ type: 'Seq', required: false, description: 'The last outbox event the figures it shows include.' }),
      reconnectsLastHour: t.arg.int({ required: true, description: 'Live connections re-opened in the last hour.' }),
      memoryBytes: t.arg.float({ required: false, description: 'performance.memory.usedJSHeapSize; omitted where the browser does not tell.' }),
      clientVersion: t.arg.string({ required: false, description: 'The client build it runs.' }),
      view: t.arg({ type: ScreenView, required: true, description: 'The view it shows now.' }),
      language: t.arg({ type: ScreenLanguage, required: true, description: 'The language it speaks now.' }),
      playing: t.arg.boolean({ required: true, description: 'Whether it rotates a playlist.' }),
      acknowledges: t.arg.string({ required: false, description: 'The command it obeyed (its commandId).' }),
    },
    resolve: async (_root, args, ctx) => {
      const rules = new Rules()
        .text('clientVersion', args.clientVersion, { max: SCREEN_LIMITS.clientVersion })
        .text('acknowledges', args.acknowledges, { max: 100 });
      if (!Number.isInteger(args.reconnectsLastHour) || args.reconnectsLastHour < 0 || args.reconnectsLastHour > 100_000) rules.fail('reconnectsLastHour', 'must be a whole number from 0 to 100000');
      if (args.memoryBytes != null && (!Number.isFinite(args.memoryBytes) || args.memoryBytes < 0 || args.memoryBytes > 2 ** 50)) rules.fail('memoryBytes', 'must be a number of bytes ≥ 0');
      rules.check();
      const viewer = ctx.viewer!;
      const mine: Prisma.ScreenWhereInput = viewer.role === 'ADMIN' ? { id: args.screenId.id } : { id: args.screenId.id, tokenId: viewer.tokenId };
      let lagEvents: number | null = null;
      if (args.asOfSeq != null) {
        const [row] = await ctx.prisma.$queryRaw<{ behind: bigint }[]>`
          SELECT count(*) AS behind FROM (SELECT 1 FROM "Event" WHERE seq > ${args.asOfSeq} AND seq < fangkong_outbox_horizon() LIMIT ${SCREEN_LIMITS.lagCap}) AS pending`;
        lagEvents = Number(row?.behind ?? 0n);
      }
      const reportedAt = ctx.now();
      const data: Prisma.ScreenUpdateManyMutationInput = {
        reportedAt,
        asOfSeq: args.asOfSeq ?? null,
        lagEvents,
        reconnectsLastHour: args.reconnectsLastHour,
        memoryBytes: args.memoryBytes == null ? null : BigInt(Math.round(args.memoryBytes)),
        ...(args.clientVersion ? { clientVersion: args.clientVersion.trim() } : {}),
        shownView: args.view,
        shownLanguage: args.language,
        playing: args.playing,
      };
      const acknowledges = args.acknowledges?.trim();
      if (!acknowledges) {
        // A periodic report: the row only (no audit entry, no event), seen by the next refresh of `screens`.
        const { count } = await ctx.prisma.screen.updateMany({ where: mine, data });
        if (!count) throw new NotFoundError('screen', args.screenId.id, 'screenId');
        return { reportedAt, lagEvents };
      }
      return commitChange(ctx, async (tx) => {
        const before = await tx.screen.findFirst({ where: mine });
        if (!before) throw new NotFoundError('screen', args.screenId.id, 'screenId');
        const after = await tx.screen.update({ where: { id: before.id }, data: { ...data, acknowledgedCommandId: acknowledges, acknowledgedAt: reportedAt } });
        return { value: { reportedAt, lagEvents }, change: screenChange('screen:acknowledged', after, before) };
      });
    },
  }),
}));

// ───────────────────────────── commands ─────────────────────────────

interface CommandPayload {
  commandId: string;
  /** null: every screen. */
  screenIds: string[] | null;
  action: ScreenActionName;
  view: $Enums.ScreenView | null;
  playlist: $Enums.ScreenView[];
  playlistSeconds: number | null;
  language: $Enums.ScreenLanguage | null;
}

const ScreenCommandPayload = builder.objectRef<{ commandId: string; screens: Screen[] }>('ScreenCommandPayload').implement({
  description: 'The command as sent: its id (screens acknowledge it by this) and the screens it went to.',
  fields: (t) => ({
    commandId: t.string({ description: 'The command’s id; a screen that obeyed it says so in acknowledgedCommandId.', resolve: (p) => p.commandId }),
    screens: t.field({ type: [ScreenRef], description: 'The screens it was sent to, with the settings it gave them.', resolve: (p) => p.screens }),
  }),
});

builder.mutationFields((t) => ({
  commandScreens: t.field({
    authScopes: { admin: true },
    type: ScreenCommandPayload,
    description:
      'Tell wall displays what to do (admins): switch view, play a playlist, change language or reload; to the screens named, or to every screen when none are. Connected screens obey within 2 s and acknowledge; the view, playlist and language are kept for screens that connect later. Audited.',
    errors: { types: [ValidationError, NotFoundError] },
    args: {
      screenIds: t.arg.globalIDList({ for: ScreenRef, required: false, description: 'The screens; omitted or empty: every screen.' }),
      action: t.arg({ type: ScreenAction, required: true, description: 'What to do.' }),
      view: t.arg({ type: ScreenView, required: false, description: 'For SHOW_VIEW: the view.' }),
      playlist: t.arg({ type: [ScreenView], required: false, description: `For PLAY: the views in turn (2 to ${SCREEN_LIMITS.maxPlaylist}).` }),
      playlistSeconds: t.arg.int({ required: false, description: `For PLAY: seconds per view (${SCREEN_LIMITS.minPlaylistSeconds}–${SCREEN_LIMITS.maxPlaylistSeconds}).` }),
      language: t.arg({ type: ScreenLanguage, required: false, description: 'For SET_LANGUAGE: the language.' }),
    },
    resolve: async (_root, args, ctx) => {
      const action = args.action as ScreenActionName;
      const rules = new Rules();
      const playlist = [...(args.playlist ?? [])];
      if (action === 'SHOW_VIEW' && !args.view) rules.fail('view', 'is required to show a view');
      if (action === 'PLAY') {
        if (playlist.length < 2 || playlist.length > SCREEN_LIMITS.maxPlaylist) rules.fail('playlist', `must list 2 to ${SCREEN_LIMITS.maxPlaylist} views`);
        const seconds = args.playlistSeconds;
        if (seconds == null || seconds < SCREEN_LIMITS.minPlaylistSeconds || seconds > SCREEN_LIMITS.maxPlaylistSeconds) {
          rules.fail('playlistSeconds', `must be ${SCREEN_LIMITS.minPlaylistSeconds} to ${SCREEN_LIMITS.maxPlaylistSeconds} seconds`);
        }
      }
      if (action === 'SET_LANGUAGE' && !args.language) rules.fail('language', 'is required to change the language');
      rules.check();
      const ids = args.screenIds?.map((g) => g.id) ?? [];
      const commandId = randomUUID();
      const at = ctx.now();
      const payload: CommandPayload = {
        commandId,
        screenIds: ids.length ? [...new Set(ids)] : null,
        action,
        view: action === 'SHOW_VIEW' ? args.view! : action === 'PLAY' ? playlist[0]! : null,
        playlist: action === 'PLAY' ? playlist : [],
        playlistSeconds: action === 'PLAY' ? args.playlistSeconds! : null,
        language: action === 'SET_LANGUAGE' ? args.language! : null,
      };
      // What the command sets stays on the rows, for screens that connect later.
      const settings: Prisma.ScreenUpdateManyMutationInput =
        action === 'SHOW_VIEW' ? { view: payload.view!, playlist: [], playlistSeconds: null }
        : action === 'PLAY' ? { view: payload.view!, playlist, playlistSeconds: payload.playlistSeconds }
        : action === 'SET_LANGUAGE' ? { language: payload.language }
        : {};
      return commitChange(ctx, async (tx) => {
        const where: Prisma.ScreenWhereInput = payload.screenIds ? { id: { in: payload.screenIds } } : {};
        if (payload.screenIds) {
          const found = new Set((await tx.screen.findMany({ where, select: { id: true } })).map((s) => s.id));
          const missing = payload.screenIds.find((id) => !found.has(id));
          if (missing) throw new NotFoundError('screen', missing, 'screenIds');
        }
        await tx.screen.updateMany({ where, data: { ...settings, lastCommandId: commandId, lastCommandAt: at } });
        const screens = await tx.screen.findMany({ where, orderBy: [{ name: 'asc' }, { id: 'asc' }] });
        return {
          value: { commandId, screens },
          change: { type: 'screen:commanded', entityType: 'ScreenCommand', entityId: commandId, after: { ...payload, screens: screens.map((s) => s.name) }, payload: { ...payload } },
        };
      });
    },
  }),
}));

const ScreenPayload = builder.objectRef<{ screen: Screen }>('ScreenPayload').implement({
  description: 'The screen after the change.',
  fields: (t) => ({ screen: t.field({ type: ScreenRef, description: 'The screen.', resolve: (p) => p.screen }) }),
});

builder.mutationFields((t) => ({
  renameScreen: t.field({
    authScopes: { admin: true },
    type: ScreenPayload,
    description: 'Give a screen another name or location (admins). A connected screen keeps them at once, one away when it connects again. Audited.',
    errors: { types: [ValidationError, NotFoundError] },
    args: {
      screenId: t.arg.globalID({ for: ScreenRef, required: true, description: 'The screen.' }),
      name: t.arg.string({ required: true, description: `Its name (at most ${SCREEN_LIMITS.name} characters).` }),
      location: t.arg.string({ required: false, description: `Where it hangs (at most ${SCREEN_LIMITS.location}); omitted or empty: nowhere said.` }),
    },
    resolve: async (_root, args, ctx) => {
      checkScreenText(new Rules(), args).check();
      const name = args.name.trim();
      const location = args.location?.trim() || null;
      return commitChange(ctx, async (tx) => {
        const [locked] = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Screen" WHERE id = ${args.screenId.id} FOR UPDATE`;
        if (!locked) throw new NotFoundError('screen', args.screenId.id, 'screenId');
        const before = await tx.screen.findUniqueOrThrow({ where: { id: args.screenId.id } });
        const taken = await tx.screen.findFirst({ where: { tokenId: before.tokenId, name, id: { not: before.id } }, select: { id: true } });
        if (taken) throw new ValidationError([{ field: 'name', message: 'another screen of the same display token has this name' }]);
        const screen = await tx.screen.update({ where: { id: before.id }, data: { name, location } });
        return { value: { screen }, change: screenChange('screen:renamed', screen, before) };
      });
    },
  }),
}));

// ───────────────────────────── live registry ─────────────────────────────

interface ScreensUpdate {
  screens: Screen[];
  asOf: Date;
  asOfSeq: bigint;
}

const ScreensUpdateRef = builder.objectRef<ScreensUpdate>('ScreensUpdate').implement({
  description: 'Every wall display, live or silent, as of a moment.',
  fields: (t) => ({
    screens: t.field({ type: [ScreenRef], description: 'Every screen, by name.', resolve: (u) => u.screens }),
    asOf: t.field({ type: 'DateTime', description: 'When they were read.', resolve: (u) => u.asOf }),
    asOfSeq: t.field({ type: 'Seq', description: 'The last outbox event the list includes.', resolve: (u) => u.asOfSeq }),
  }),
});

builder.subscriptionFields((t) => ({
  screens: t.field({
    authScopes: { command: true },
    type: ScreensUpdateRef,
    description:
      'Wall displays live (admins and commanders): the list first, again at once when a screen connects, disconnects or acknowledges a command, and every heartbeat interval (FANGKONG_SCREEN_HEARTBEAT_MS) for reports and screens going silent without a word.',
    subscribe: (_root, _args, ctx) =>
      liveFeed(ctx).watch<ScreensUpdate>('screens', {
        relevant: (e) => e.type.startsWith('screen:'),
        refreshMs: presenceOf(ctx).heartbeatMs,
        compute: async () => {
          const { asOfSeq, asOf, values } = await snapshot(ctx, [ctx.prisma.screen.findMany({ orderBy: [{ name: 'asc' }, { id: 'asc' }] })]);
          return { screens: values[0], asOf, asOfSeq };
        },
      }),
    resolve: (update) => update,
  }),
}));
