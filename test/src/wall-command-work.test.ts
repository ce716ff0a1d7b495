import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, imageStats, launchChromium } from './support/browser.ts';
import { builtClient, clientDist } from './support/client-build.ts';
import { globalId } from './support/ids.ts';
import { repoRoot, tempDir } from './support/processes.ts';
import { createToken, graphql, startServer, type RunningServer } from './support/server.ts';

// The wall's command-work view in headless Chromium: an admin switches a connected wall to it and
// it shows the latest meeting's directives (一要…六要) with the tasks assigned to carry them out,
// their owners, due times and status (an overdue one highlighted); a task marked done through the
// API turns done on the wall within 2 s; `?view=command-work&lang=en` opens it in English. The
// clock is pinned to Monday 10 February 2020, 10:00 in the zone (the day after the seeded Party
// Working Committee meeting), so "overdue" does not depend on when the suite runs.

const artifacts = join(repoRoot, 'test', 'artifacts');
const CLOCK_START = '2020-02-10T10:00:00+08:00';
const MEETING = 'party-committee-2020-02-09';

const ASSIGN = `mutation ($title: String!, $titleEn: String, $directiveId: ID, $ownerPersonId: ID, $ownerDepartmentId: ID, $dueAt: DateTime) {
  assignTask(title: $title, titleEn: $titleEn, directiveId: $directiveId, ownerPersonId: $ownerPersonId, ownerDepartmentId: $ownerDepartmentId, dueAt: $dueAt) {
    __typename ... on TaskPayload { task { id } } ... on Error { message }
  } }`;

const TASKS = [
  // Due yesterday evening, still open: overdue.
  { title: '传达暗访讲话精神至各乡镇（街道）', titleEn: 'Relay the visit remarks to every township', directive: 1, person: 'liu-mingsheng', dueAt: '2020-02-09T18:00:00+08:00' },
  { title: '检查点人员在岗情况日报', titleEn: 'Daily report of staff at their posts', directive: 1, department: 'general-office', dueAt: '2020-02-12T18:00:00+08:00' },
  { title: '口罩生产企业满负荷生产核查', titleEn: 'Check mask makers run at full capacity', directive: 3, department: 'industry-it', dueAt: '2020-02-11T12:00:00+08:00' },
] as const;

describe.skipIf(!browserAvailable())('the wall’s command-work view', () => {
  const data = tempDir('fangkong-command-work-wall-');
  let server: RunningServer;
  let browser: Browser;
  let wall: Page;
  let displayToken: string;
  const taskIds: string[] = [];

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    await builtClient();
    const env = { FANGKONG_DATA_DIR: data.path, FANGKONG_CLIENT_DIST: clientDist, FANGKONG_CLOCK_START: CLOCK_START };
    server = await startServer(env);
    displayToken = await createToken(env, 'display', [], 'command work wall e2e');
    for (const task of TASKS) {
      const response = await graphql(server.graphqlUrl, ASSIGN, {
        title: task.title,
        titleEn: task.titleEn,
        directiveId: globalId('Directive', `${MEETING}-${task.directive}`),
        ownerPersonId: 'person' in task ? globalId('Person', task.person) : null,
        ownerDepartmentId: 'department' in task ? globalId('Department', task.department) : null,
        dueAt: task.dueAt,
      });
      expect(response.errors).toBeUndefined();
      expect(response.data!.assignTask.__typename, JSON.stringify(response.data)).toBe('TaskPayload');
      taskIds.push(response.data!.assignTask.task.id);
    }
    // An enterprise applies to resume work this morning: waiting, 0 working days, within the target.
    const applied = await graphql(server.graphqlUrl, `mutation ($id: ID!) { submitResumptionApplication(enterpriseId: $id) { __typename } }`, { id: globalId('Enterprise', 'zhuoli-membrane') });
    expect(applied.data?.submitResumptionApplication.__typename, JSON.stringify(applied)).toBe('ResumptionApplicationPayload');
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, timezoneId: 'Asia/Shanghai', locale: 'zh-CN' });
    wall = await context.newPage();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    data.remove();
  });

  const panel = (page: Page) => page.locator('[data-testid="command-work"]');
  const task = (page: Page, title: string) => panel(page).locator('.cw-task', { hasText: title });

  it('is what a display token may read: the summary, not the records', async () => {
    const headers = { authorization: `Bearer ${displayToken}` };
    const work = await graphql(server.graphqlUrl, '{ commandWork { meeting { title directives { ordinal tasks { owner status overdue } } } } }', undefined, headers);
    expect(work.errors).toBeUndefined();
    expect(work.data!.commandWork.meeting.title).toBe('示范区党工委（扩大）会议');
    expect(work.data!.commandWork.meeting.directives.map((d: { ordinal: number }) => d.ordinal)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(work.data!.commandWork.meeting.directives[0].tasks).toEqual([
      { owner: '刘明胜', status: 'OPEN', overdue: true },
      { owner: '区综合办公室', status: 'OPEN', overdue: false },
    ]);
    const records = await graphql(server.graphqlUrl, '{ tasks(first: 1) { totalCount } }', undefined, headers);
    expect(records.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('shows the latest meeting’s directives with their tasks and owners when an admin switches the wall to it', async () => {
    await wall.goto(`${server.url}/?token=${displayToken}&screen=${encodeURIComponent('指挥工作测试屏')}`);
    await wall.locator('body[data-ready="true"]').waitFor({ timeout: 15_000 });
    expect(await panel(wall).isVisible()).toBe(false);
    let screenId: string | undefined;
    for (let i = 0; i < 50 && !screenId; i++) {
      const screens = await graphql(server.graphqlUrl, '{ screens { id name live } }');
      screenId = screens.data?.screens.find((s: { name: string; live: boolean }) => s.name === '指挥工作测试屏' && s.live)?.id;
      if (!screenId) await new Promise((r) => setTimeout(r, 200));
    }
    expect(screenId).toBeDefined();
    const command = await graphql(
      server.graphqlUrl,
      `mutation ($ids: [ID!]) { commandScreens(screenIds: $ids, action: SHOW_VIEW, view: COMMAND_WORK) { __typename ... on Error { message } } }`,
      { ids: [screenId] },
    );
    expect(command.data?.commandScreens.__typename, JSON.stringify(command)).toBe('ScreenCommandPayload');
    const answered = Date.now();
    await panel(wall).locator('.cw-directive').first().waitFor({ state: 'visible', timeout: 2000 });
    console.info(`command-work view shown ${Date.now() - answered} ms after the command's answer`);
    expect(await wall.locator('[data-testid="ranking"], .kpis').first().isVisible()).toBe(false);

    expect(await wall.locator('[data-testid="command-work-title"]').textContent()).toContain('示范区党工委（扩大）会议');
    const directives = panel(wall).locator('.cw-directive');
    expect(await directives.count()).toBe(6);
    expect(await directives.locator('.cw-number').allTextContents()).toEqual(['一要', '二要', '三要', '四要', '五要', '六要']);
    // The seed's text opens with its number: shown once.
    expect(await directives.first().locator('.cw-text').textContent()).toMatch(/^准确理解把握/);

    const overdue = task(wall, TASKS[0].title);
    expect(await overdue.getAttribute('data-state')).toBe('overdue');
    expect(await overdue.textContent()).toContain('刘明胜');
    expect(await overdue.textContent()).toContain('已逾期');
    expect(await overdue.locator('.cw-task-due').textContent()).toBe('2月9日 18:00 前');
    const open = task(wall, TASKS[1].title);
    expect(await open.getAttribute('data-state')).toBe('open');
    expect(await open.textContent()).toContain('区综合办公室');
    expect(await directives.nth(2).locator('.cw-task').textContent()).toContain('区工信');
    expect(await directives.nth(1).locator('.cw-no-tasks').textContent()).toBe('暂无分解任务');
    expect(await wall.locator('[data-testid="command-work-figure"]').textContent()).toBe('任务 3 项 · 完成 0 · 逾期 1');
    // Findings per unit: the seeded inspections' findings, open ones counted.
    expect(await panel(wall).locator('[data-testid="command-work-findings"] tr').count()).toBeGreaterThan(1);
    const application = panel(wall).locator('[data-testid="command-work-waiting"] .cw-application');
    expect(await application.count()).toBe(1);
    expect(await application.textContent()).toMatch(/已等 0 个工作日$/);
  });

  it('turns a task done within 2 s of it being marked done through the API', async () => {
    const done = await graphql(server.graphqlUrl, `mutation ($id: ID!) { updateTaskStatus(taskId: $id, status: DONE) { __typename ... on TaskPayload { task { status } } } }`, { id: taskIds[2] });
    expect(done.data?.updateTaskStatus).toEqual({ __typename: 'TaskPayload', task: { status: 'DONE' } });
    const answered = Date.now();
    await panel(wall).locator('.cw-task.is-done', { hasText: TASKS[2].title }).waitFor({ timeout: 2000 });
    const latency = Date.now() - answered;
    expect(latency).toBeLessThan(2000);
    expect(await task(wall, TASKS[2].title).locator('.cw-task-status').textContent()).toBe('已完成');
    expect(await wall.locator('[data-testid="command-work-figure"]').textContent()).toBe('任务 3 项 · 完成 1 · 逾期 1');
    console.info(`task done on the wall ${latency} ms after the mutation's answer`);
    const png = await wall.screenshot({ path: join(artifacts, 'wall-command-work.png') });
    expect((await imageStats(browser, png)).distinctColors).toBeGreaterThan(64);
  });

  it('speaks English with ?lang=en, opened on the view by ?view=command-work', async () => {
    const english = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await english.goto(`${server.url}/?lang=en&view=command-work&token=${displayToken}`);
    await panel(english).locator('.cw-task.is-done').waitFor({ state: 'visible', timeout: 15_000 });
    expect(await english.locator('[data-testid="command-work-title"]').textContent()).toContain('Enlarged meeting of the zone Party Working Committee');
    const overdue = task(english, TASKS[0].titleEn);
    expect(await overdue.textContent()).toContain('Liu Mingsheng');
    expect(await overdue.locator('.cw-task-status').textContent()).toBe('Overdue');
    expect(await overdue.locator('.cw-task-due').textContent()).toBe('due 9 Feb 18:00');
    expect(await task(english, TASKS[2].titleEn).locator('.cw-task-status').textContent()).toBe('Done');
    expect(await panel(english).textContent()).toContain('Inspection findings');
    expect(await panel(english).locator('.cw-application').textContent()).toContain('waiting 0 working days');
    expect(await english.locator('[data-testid="command-work-figure"]').textContent()).toBe('3 tasks · 1 done · 1 overdue');
    await english.screenshot({ path: join(artifacts, 'wall-command-work-en.png') });
    await english.close();
  });
});
