import { ErrorCode } from '@fangkong/zone';
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
  it('words the server rules again, with the field labels and local times', () => {
    expect(issueText('zh', 'is in the future (now 2020-02-07T02:30:00.000Z)', TZ)).toBe('不能晚于当前时间（现在 2020-02-07 10:30）');
    expect(issueText('en', 'must be after periodStart (2020-02-07T02:00:00.000Z)', TZ)).toBe('must be after the start (2020-02-07 10:00)');
    expect(issueText('zh', 'cannot exceed peopleScreened (8); got 9', TZ)).toBe('不能超过测温人数（8），收到 9');
    expect(issueText('en', 'cannot exceed peopleScreened (8); got 9', TZ)).toBe('cannot exceed people screened (8); got 9');
    expect(issueText('zh', 'at most 100000 per report; got 100001', TZ)).toBe('每份报告最多 100000（收到 100001），请核对');
    expect(issueText('zh', 'fengshou-road is closed since 2020-02-10T16:00:00.000Z', TZ)).toBe('自 2020-02-11 00:00 起已关闭，不再接收该时段的报告');
    expect(issueText('en', '120001 exceeds twice the rated capacity for 1.0 h (4167); check the figure', TZ)).toBe(
      "120001 is over twice the line's rated capacity for 1.0 h (4167); check the figure",
    );
    expect(issueLine('zh', 'feverCases', 'must be a whole number ≥ 0; got -1', TZ)).toBe('发热人员：应为 0 或正整数（收到 -1）');
    expect(issueLine('en', 'reason', 'must not be empty', TZ)).toBe('Reason for the correction: must not be empty');
  });

  it('keeps an unknown rule in the server words, its instants in local time, under the field label', () => {
    expect(issueLine('zh', 'periodStart', 'overlaps something at 2020-02-07T02:00:00Z', TZ)).toBe('开始时间：overlaps something at 2020-02-07 10:00');
    expect(localiseInstants('from 2020-02-06T16:00:00.000Z to 2020-02-06T17:00:00+00:00', TZ)).toBe('from 2020-02-07 00:00 to 2020-02-07 01:00');
    expect(fieldLabel('en', 'somethingElse')).toBe('somethingElse');
  });
});
