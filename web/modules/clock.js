// @ts-check
/**
 * The daemon's clock as seen from the page. Lockout deadlines and "last heard" times are the
 * server's milliseconds; a tablet whose own clock is off would count them down wrong, so the page
 * keeps the difference it last saw and counts on the server's time.
 */
export class ServerClock {
  /** Server clock minus ours, in ms. */
  #offset = 0;

  /** @param {number} serverNow the server's Date.now(), as an answer carried it */
  sync(serverNow) {
    this.#offset = serverNow - Date.now();
  }

  now() {
    return Date.now() + this.#offset;
  }

  /**
   * Whole seconds left until a deadline, 0 once it is past or when there is none.
   * @param {number | null | undefined} deadline
   */
  secondsUntil(deadline) {
    if (!deadline) return 0;
    return Math.max(0, Math.ceil((deadline - this.now()) / 1000));
  }

  /**
   * "just now", "12 s ago", "3 min ago", "2 h ago", "4 d ago", or "never".
   * @param {number | null | undefined} ms
   */
  ago(ms) {
    if (ms === null || ms === undefined) return 'never';
    const s = Math.max(0, Math.round((this.now() - ms) / 1000));
    if (s < 5) return 'just now';
    if (s < 60) return `${s} s ago`;
    if (s < 3600) return `${Math.floor(s / 60)} min ago`;
    if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
    return `${Math.floor(s / 86_400)} d ago`;
  }
}
