import { CHECKPOINT_FIGURES, ErrorCode, FieldRule, figureIssues, zeroCheckpointCounts } from '@fangkong/zone';
import { describe, expect, it } from 'vitest';
import { errorMessage, fieldLabel, issueLine, issueText, localisedCodes, localiseInstants } from './errors.ts';

const TZ = 'Asia/Shanghai';

describe('error codes', () => {
  it('has a sentence for every code in both languages, and names a code it does not know', () => {
    for (const lang of ['zh', 'en'] as const) {
      expect(localisedCodes(lang).sort()).toEqual(Object.values(ErrorCode).sort());
      for (const code of Object.values(ErrorCode)) expect(errorMessage(lang, code)).not.toContain(code);
    }
    expect(errorMessage('zh', 'SOMETHING_NEW')).toBe('服务器拒绝了这次提交（代码 SOMETHING_NEW）');
    expect(errorMessage('en', 'SOMETHING_NEW')).toBe('The server refused this (code SOMETHING_NEW)');
  });
});

describe('field issues', () => {
  // The English message is the server's; the page words the issue from its rule and values alone.
  const english = 'in English';

  it('words each rule from its code and values, with the field labels and local times', () => {
    expect(issueText('zh', { message: english, rule: 'IN_FUTURE', at: '2020-02-07T02:30:00.000Z' }, TZ)).toBe('不能晚于当前时间（现在 2020-02-07 10:30）');
    expect(issueText('en', { message: english, rule: 'END_AFTER_START', at: '2020-02-07T02:00:00.000Z' }, TZ)).toBe('must be after the start (2020-02-07 10:00)');
    const notMore = { message: english, rule: FieldRule.NotMoreThanField, relatedField: 'peopleScreened', limit: 8, actual: 9 };
    expect(issueText('zh', notMore, TZ)).toBe('不能超过测温人数（8），收到 9');
    expect(issueText('en', notMore, TZ)).toBe('cannot exceed people screened (8); got 9');
    expect(issueText('zh', { message: english, rule: 'AT_MOST_PER_REPORT', limit: 100000, actual: 100001 }, TZ)).toBe('每份报告最多 100000（收到 100001），请核对');
    expect(issueText('zh', { message: english, rule: 'SITE_CLOSED', at: '2020-02-10T16:00:00.000Z' }, TZ)).toBe('自 2020-02-11 00:00 起已关闭，不再接收该时段的报告');
    expect(issueText('en', { message: english, rule: 'SITE_CLOSED', at: null }, TZ)).toBe('is closed and takes no reports');
    expect(issueText('en', { message: english, rule: 'OVER_CAPACITY', limit: 4167, actual: 120001 }, TZ)).toBe(
      "120001 is over twice the line's rated capacity for the period (4167); check the figure",
    );
    expect(issueLine('zh', 'feverCases', { message: english, rule: 'WHOLE_NUMBER', actual: -1 }, TZ)).toBe('发热人员：应为 0 或正整数（收到 -1）');
    expect(issueLine('en', 'reason', { message: english, rule: 'REQUIRED' }, TZ)).toBe('Reason for the correction: must not be empty');
  });

  it('words every rule in both languages without the English message', () => {
    for (const rule of Object.values(FieldRule).filter((r) => r !== FieldRule.Other)) {
      for (const lang of ['zh', 'en'] as const) {
        const text = issueText(lang, { message: english, rule, limit: 5, actual: 6, relatedField: 'peopleScreened', at: '2020-02-07T02:00:00Z' }, TZ);
        expect(text, `${rule} in ${lang}`).not.toContain(english);
        expect(text, `${rule} in ${lang}`).not.toContain('?');
      }
    }
  });

  it('agrees with the rules the page checks itself (@fangkong/zone figureIssues)', () => {
    const [issue] = figureIssues(CHECKPOINT_FIGURES, { ...zeroCheckpointCounts(), peopleScreened: 3, feverCases: 4 });
    expect(issueLine('zh', issue!.field, issue!, TZ)).toBe('发热人员：不能超过测温人数（3），收到 4');
  });

  it('keeps a rule without a code (OTHER, or none) in the server words, its instants in local time, under the field label', () => {
    expect(issueLine('zh', 'periodStart', { message: 'overlaps something at 2020-02-07T02:00:00Z', rule: 'OTHER' }, TZ)).toBe('开始时间：overlaps something at 2020-02-07 10:00');
    expect(issueLine('en', 'periodStart', { message: 'something new' }, TZ)).toBe('From: something new');
    expect(localiseInstants('from 2020-02-06T16:00:00.000Z to 2020-02-06T17:00:00+00:00', TZ)).toBe('from 2020-02-07 00:00 to 2020-02-07 01:00');
    expect(fieldLabel('en', 'somethingElse')).toBe('somethingElse');
  });
});
