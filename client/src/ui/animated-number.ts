import { setAttr, setText } from './dom.ts';

/** easeOutCubic: fast start, gentle landing. */
export const easeOut = (t: number) => 1 - (1 - Math.min(1, Math.max(0, t))) ** 3;

/** The value shown `elapsed` ms into a tween from `from` to `to` lasting `duration` ms. */
export function tweenValue(from: number, to: number, elapsed: number, duration: number): number {
  if (duration <= 0 || elapsed >= duration) return to;
  return Math.round(from + (to - from) * easeOut(elapsed / duration));
}

/**
 * A number that counts up (or down) to each new value. `data-value` always holds the exact target,
 * so tests and screen readers need not wait for the animation.
 */
export class AnimatedNumber {
  private shown: number | null = null;
  private target: number | null = null;
  private from = 0;
  private startedAt = 0;
  private frame: number | null = null;

  constructor(
    readonly el: HTMLElement,
    private readonly format: (value: number) => string,
    private readonly durationMs = 1200,
  ) {}

  set(value: number): void {
    if (value === this.target) return;
    setAttr(this.el, 'data-value', String(value));
    this.target = value;
    // The first value, no duration, a hidden page and reduced motion skip the animation (shown in this frame).
    if (this.shown === null || this.durationMs <= 0 || document.hidden || matchMedia('(prefers-reduced-motion: reduce)').matches) {
      this.stop();
      this.show(value);
      return;
    }
    this.from = this.shown;
    this.startedAt = performance.now();
    if (this.frame === null) this.frame = requestAnimationFrame(this.step);
  }

  private readonly step = (time: number) => {
    this.frame = null;
    if (this.target === null) return;
    const value = tweenValue(this.from, this.target, time - this.startedAt, this.durationMs);
    this.show(value);
    if (value !== this.target) this.frame = requestAnimationFrame(this.step);
  };

  private show(value: number): void {
    this.shown = value;
    setText(this.el, this.format(value));
  }

  private stop(): void {
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    this.frame = null;
  }
}
