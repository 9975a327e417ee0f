/**
 * The one catalogue of nodes and children: what the configuration says each node is, which nodes
 * are sealed (have a key) or still on the original sketch, and, in this one place, which child of
 * a node is its lock. Routing, lock operations, PIN entry and the web page all ask here.
 */
import { DEFAULT_LOCK_CHILD, PIN_MAX_DIGITS, PIN_MIN_DIGITS } from '../../core/protocol/constants.ts';

export const CHILD_KINDS = ['lock', 'relay', 'contact', 'sensor'] as const;
export type ChildKind = (typeof CHILD_KINDS)[number];

/** What the service does with a controller's plain command to a child: seal it, refuse it, pass it on. */
export const POLICIES = ['seal', 'refuse', 'pass'] as const;
export type ChildPolicy = (typeof POLICIES)[number];

export interface ChildOptions {
  kind: ChildKind;
  /** What happens to a controller's plain command to this child. */
  policy: ChildPolicy;
  pinLength?: number;
  /** Sets to this child go challenge-bound. */
  critical?: boolean;
  /** Plain C_SET and C_REQ from this child reach controllers (otherwise only sealed reports do). */
  acceptPlain?: boolean;
}

export interface NodeOptions {
  name?: string;
  children: ReadonlyMap<number, ChildOptions>;
  /** Controllers may reboot the node and send it firmware (controller-allow-list.ts). */
  allowFirmwareUpdate?: boolean;
}

/** A node's lock: its child id and what is configured for it. */
export interface LockChild {
  child: number;
  options: ChildOptions;
}

/** The PIN length when none is configured (the original sketch's). */
const DEFAULT_PIN_LENGTH = 4;

export class NodeCatalogue {
  constructor(
    private readonly nodes: ReadonlyMap<number, NodeOptions>,
    /** Whether a node has a key (the key store's lookup). */
    private readonly hasKey: (node: number) => boolean,
    /** Nodes that still run the original sketch (docs/migrating.md). */
    private readonly legacy: ReadonlySet<number> = new Set(),
  ) {}

  /** Configured node ids, in configuration order. */
  configured(): number[] {
    return [...this.nodes.keys()];
  }

  name(node: number): string | undefined {
    return this.nodes.get(node)?.name;
  }

  child(node: number, child: number): ChildOptions | undefined {
    return this.nodes.get(node)?.children.get(child);
  }

  sealed(node: number): boolean {
    return this.hasKey(node);
  }

  isLegacy(node: number): boolean {
    return this.legacy.has(node);
  }

  allowsFirmwareUpdate(node: number): boolean {
    return this.nodes.get(node)?.allowFirmwareUpdate === true;
  }

  /**
   * The node's lock: the child configured as one, else, for a sealed node or one on the original
   * sketch, the default lock child (fail closed: a sealed node's lock is never left unguarded for
   * want of configuration). Undefined for a node that has no lock MySeal knows of.
   */
  lockChild(node: number): LockChild | undefined {
    for (const [child, options] of this.nodes.get(node)?.children ?? []) {
      if (options.kind === 'lock') return { child, options };
    }
    const known = this.sealed(node) || this.isLegacy(node);
    return known ? { child: DEFAULT_LOCK_CHILD, options: { kind: 'lock', policy: 'refuse' } } : undefined;
  }

  /** Digits of the node's PIN: reaching it submits without the submit key. */
  pinLength(node: number): number {
    const configured = this.lockChild(node)?.options.pinLength ?? DEFAULT_PIN_LENGTH;
    return Math.min(PIN_MAX_DIGITS, Math.max(PIN_MIN_DIGITS, configured));
  }

  /** What becomes of a controller's plain command to a child: its configured policy, else refused for a sealed lock, else passed. */
  policy(node: number, child: number): ChildPolicy {
    const configured = this.child(node, child)?.policy;
    if (configured !== undefined) return configured;
    return this.sealed(node) && child === this.lockChild(node)?.child ? 'refuse' : 'pass';
  }

  /**
   * Whether what goes to this child may carry PIN material (a lock, or any child of a node on the
   * original sketch): then no notice or log repeats its payload.
   */
  guardsPayload(node: number, child: number): boolean {
    return this.isLegacy(node) || this.lockChild(node)?.child === child;
  }
}
