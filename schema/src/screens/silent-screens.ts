import type { AlertRule } from '@fangkong/prisma';
import { HOUR_MS, MINUTE_MS } from '@fangkong/zone';
import type { Context } from '../core/context.ts';
import type { RuleParameters } from '../alerts/rule-kinds.ts';
import { raiseAlert, resolveCleared } from '../alerts/transitions.ts';
import { presenceOf, silentSince } from './presence.ts';

// The SCREEN_SILENT rule, swept like the other rules about time (alerts/evaluation.ts): a screen
// silent for longer than the rule's minutes raises one alert per silence (the occurrence is when it
// fell silent); it resolves when the screen is live again. A screen silent for longer than the
// look-back is retired, not watched.

export async function silentScreens(ctx: Context, rule: AlertRule, p: RuleParameters['SCREEN_SILENT']): Promise<void> {
  const now = ctx.now();
  const { silentAfterMs } = presenceOf(ctx);
  const screens = await ctx.prisma.screen.findMany({ orderBy: { id: 'asc' } });
  for (const screen of screens) {
    const since = silentSince(screen, now, silentAfterMs);
    if (!since) {
      const open = await ctx.prisma.alert.count({ where: { ruleId: rule.id, subjectType: 'Screen', subjectId: screen.id, status: { not: 'RESOLVED' } } });
      if (open) await resolveCleared(ctx, rule.id, 'Screen', screen.id, 'the screen is live again');
      continue;
    }
    const silentMs = now.getTime() - since.getTime();
    if (silentMs <= p.minutes * MINUTE_MS || silentMs > p.lookbackHours * HOUR_MS) continue;
    const minutes = Math.floor(silentMs / MINUTE_MS);
    const where = screen.location ? `（${screen.location}）` : '';
    const whereEn = screen.location ? ` (${screen.location})` : '';
    await raiseAlert(ctx, {
      rule,
      subjectType: 'Screen',
      subjectId: screen.id,
      areaPath: null,
      siteId: null,
      raisedSeq: 0n,
      occurrence: since.toISOString(),
      message: `大屏「${screen.name}」${where}已离线 ${minutes} 分钟`,
      messageEn: `Wall display "${screen.name}"${whereEn} silent for ${minutes} minute(s)`,
      details: { screenName: screen.name, location: screen.location, silentSince: since, silentSeconds: Math.floor(silentMs / 1000) },
    });
  }
}

/** A screen that connects again clears its silence at once (the sweep would, later). */
export async function screenConnected(ctx: Context, rules: AlertRule[], screenId: string): Promise<void> {
  for (const rule of rules) await resolveCleared(ctx, rule.id, 'Screen', screenId, 'the screen connected again');
}
