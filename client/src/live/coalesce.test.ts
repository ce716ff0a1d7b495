import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Coalescer } from './coalesce.ts';

describe('Coalescer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('coalesces a burst of requests into one run', async () => {
    const task = vi.fn(async () => {});
    const c = new Coalescer(task, { minIntervalMs: 1000 });
    for (let i = 0; i < 20; i++) c.request();
    await vi.runAllTimersAsync();
    expect(task).toHaveBeenCalledTimes(1);
  });

  it('runs at most once per interval, and always once more after the last request', async () => {
    const task = vi.fn(async () => {});
    const c = new Coalescer(task, { minIntervalMs: 1000 });
    c.request();
    await vi.advanceTimersByTimeAsync(0);
    expect(task).toHaveBeenCalledTimes(1);
    c.request();
    c.request();
    await vi.advanceTimersByTimeAsync(500);
    expect(task).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(600);
    expect(task).toHaveBeenCalledTimes(2);
    await vi.runAllTimersAsync();
    expect(task).toHaveBeenCalledTimes(2);
  });

  it('never overlaps runs: a request during a slow run triggers exactly one follow-up', async () => {
    let running = 0;
    let maxRunning = 0;
    const task = vi.fn(async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((r) => setTimeout(r, 5000));
      running--;
    });
    const c = new Coalescer(task, { minIntervalMs: 100 });
    c.request();
    await vi.advanceTimersByTimeAsync(10);
    c.request();
    c.request();
    await vi.runAllTimersAsync();
    expect(task).toHaveBeenCalledTimes(2);
    expect(maxRunning).toBe(1);
  });

  it('keeps going after a failed run and stops after dispose', async () => {
    const task = vi.fn(async () => {
      throw new Error('offline');
    });
    const c = new Coalescer(task, { minIntervalMs: 10 });
    c.request();
    await vi.runAllTimersAsync();
    c.request();
    await vi.runAllTimersAsync();
    expect(task).toHaveBeenCalledTimes(2);
    c.request();
    c.dispose();
    await vi.runAllTimersAsync();
    expect(task).toHaveBeenCalledTimes(2);
  });
});
