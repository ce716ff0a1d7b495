// A very small view layer: create elements declaratively, then update them in place.

type Child = Node | string | null | undefined | false;
type Props = Record<string, string | number | boolean | null | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.className = String(value);
    else if (key === 'text') el.textContent = String(value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) if (child) el.append(child);
  return el;
}

/** Sets text only when it changed (cheap to call every frame). */
export function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

export function setAttr(el: Element, name: string, value: string | null): void {
  if (value === null) {
    if (el.hasAttribute(name)) el.removeAttribute(name);
  } else if (el.getAttribute(name) !== value) el.setAttribute(name, value);
}

export function toggleClass(el: Element, name: string, on: boolean): void {
  if (el.classList.contains(name) !== on) el.classList.toggle(name, on);
}

/**
 * Keyed rows: reuses the element of each key, creates new ones, removes those whose key is gone.
 * Keeps exactly one element per current key, so a long-running screen holds no stale nodes.
 */
export class KeyedList<T, E extends HTMLElement = HTMLElement> {
  private readonly rows = new Map<string, { el: E; update: (item: T, index: number) => void }>();

  constructor(
    readonly container: HTMLElement,
    private readonly key: (item: T) => string,
    private readonly create: (item: T) => { el: E; update: (item: T, index: number) => void },
  ) {}

  render(items: readonly T[]): void {
    const seen = new Set<string>();
    items.forEach((item, index) => {
      const k = this.key(item);
      seen.add(k);
      let row = this.rows.get(k);
      if (!row) {
        row = this.create(item);
        this.rows.set(k, row);
        this.container.append(row.el);
      }
      row.update(item, index);
    });
    for (const [k, row] of this.rows) {
      if (!seen.has(k)) {
        row.el.remove();
        this.rows.delete(k);
      }
    }
  }

  /** Puts the elements in the order of the last render (for lists laid out by document order). */
  order(items: readonly T[]): void {
    items.forEach((item, index) => {
      const el = this.rows.get(this.key(item))?.el;
      if (el && this.container.children[index] !== el) this.container.insertBefore(el, this.container.children[index] ?? null);
    });
  }
}
