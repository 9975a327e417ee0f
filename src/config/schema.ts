/**
 * The configuration file's schema: the one description of every setting, from which both the
 * validation (every problem at once, in MySeal's words) and the JSON Schema that editors complete
 * from (docs/config.schema.json) come. Values with a syntax of their own (HOST:PORT, gateway and
 * broker URLs, address ranges, topic prefixes) are read by their one parser, whose refusal becomes
 * the problem's text.
 *
 * Rules between settings (a lock child may not acceptPlain, ...) are in document-rules.ts; rules
 * that the environment or flags may settle are in rules.ts.
 */
import type * as Z from 'zod';
import { isMySealError } from '../core/errors.ts';
import type { MySealError } from '../core/errors.ts';
import { MAX_NODE_ID, MIN_NODE_ID } from '../core/protocol/node-id.ts';
import { parseAddressRange } from './address-range.ts';
import { DEFAULTS, MAX_CHILD } from './defaults.ts';
import { show } from './fields.ts';
import { checkTopicPrefix, parseBrokerUrl, readGatewayField } from './gateway-url.ts';
import { parseHostPort } from './host-port.ts';
import { CHILD_KINDS, LOG_LEVELS, POLICIES } from './types.ts';
import { zod } from './zod.ts';
import type { Zod } from './zod.ts';

/** A refusal's text without the field in front (the field is the path the schema reports). */
function problemText(e: MySealError): string {
  return typeof e.detail.problem === 'string' ? e.detail.problem : e.reason;
}

function build(z: Zod) {
  type Issue = { input?: unknown };
  const missingOr = (missing: string | undefined, otherwise: (i: Issue) => string) => (i: Issue) =>
    i.input === undefined && missing !== undefined ? `is missing (${missing})` : otherwise(i);

  /** Text as a setting holds it: not empty, not too long, no control characters. */
  const text = (max: number, missing?: string) =>
    z
      .string({ error: missingOr(missing, (i) => `${show(i.input)} is not a string`) })
      .min(1, { error: 'is an empty string' })
      .max(max, { error: (i) => `${show(i.input)} is longer than ${max} characters` })
      // The control characters (Unicode Cc) spelt out: the JSON Schema's pattern must also work without the u flag.
      // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
      .regex(/^[^\x00-\x1f\x7f-\x9f]*$/, { error: (i) => `${show(i.input)} holds a control character` });

  const integer = (min: number, max: number) => {
    const error = (i: Issue) => `${show(i.input)} is not an integer ${min}-${max}`;
    return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
  };

  const flag = () => z.boolean({ error: (i) => `${show(i.input)} is not true or false` });

  const choice = <T extends readonly [string, ...string[]]>(values: T) =>
    z.enum(values, { error: missingOr(values.join(', '), (i) => `${show(i.input)} is not one of ${values.join(', ')}`) });

  /** A map of named settings; any other name is a problem (with a "did you mean", issues.ts). */
  const settings = <S extends Z.ZodRawShape>(shape: S, what = 'a map of settings') =>
    z.strictObject(shape, { error: (i) => (i.code === 'invalid_type' ? `${show(i.input)} is not ${what}` : undefined) });

  /** A value read by its own parser: the parser's result, or its refusal as the problem. */
  const parsedBy = <T>(base: Z.ZodString, parse: (value: string) => T) =>
    base.transform((value, ctx) => {
      try {
        return parse(value);
      } catch (e) {
        if (!isMySealError(e)) throw e;
        ctx.addIssue({ code: 'custom', message: problemText(e), input: value });
        return z.NEVER;
      }
    });

  /**
   * A setting that may be left out. An empty value (`tokenFile:` with nothing after it) also means
   * the default, as it reads (plain-document.ts drops it before the check): null is allowed so that
   * the JSON Schema says so too, and editors do not flag an example's `controllers:` holding only comments.
   */
  const optional = <T extends Z.ZodType>(schema: T, description: string, defaultValue?: unknown) =>
    schema.nullable().optional().meta({ description, ...(defaultValue === undefined ? {} : { default: defaultValue }) });

  const hostPort = parsedBy(z.string({ error: (i) => `${show(i.input)} is not a HOST:PORT string` }), (v) => parseHostPort(v, ''));
  const topicPrefix = text(100).superRefine((value, ctx) => {
    try {
      checkTopicPrefix(value, '', {});
    } catch (e) {
      if (!isMySealError(e)) throw e;
      ctx.addIssue({ code: 'custom', message: problemText(e), input: value });
    }
  });
  const path = (missing?: string) => text(4096, missing);
  // YAML reads an unquoted `#` as a comment and `*` as an alias; a digit could never end a PIN.
  const keyChar = () => {
    const error = (i: Issue) => `${show(i.input)} is not one printable character other than a digit (quote it: '#')`;
    return z.string({ error }).regex(/^[\x21-\x2f\x3a-\x7e]$/, { error });
  };
  const addressRange = parsedBy(z.string({ error: (i) => `${show(i.input)} is not an IP address or ADDRESS/PREFIX` }), (v) => {
    const range = parseAddressRange(v);
    if (!range.ok) throw range.error;
    return range.value;
  });
  const idKey = (what: string, min: number, max: number) => {
    const error = (i: Issue) => `${what} id ${show(i.input)} is not an integer ${min}-${max}`;
    // Canonical decimal only, so that "05" and "5" cannot both name node 5.
    return z.string().regex(/^(0|[1-9][0-9]{0,2})$/, { error }).refine((k) => Number(k) >= min && Number(k) <= max, { error });
  };

  const child = settings({
    kind: choice(CHILD_KINDS).meta({ description: 'What the child is. Required.' }),
    policy: optional(choice(POLICIES), "What MySeal does with a controller's plain command: seal, refuse or pass (default: refuse for a lock, seal for a relay, pass otherwise)."),
    pinLength: optional(integer(4, 8), 'Locks only: how many digits the PIN has.', DEFAULTS.pinLength),
    critical: optional(flag(), 'A set needs a fresh challenge from the node (policy seal only).', false),
    acceptPlain: optional(flag(), 'Plain values from this child reach controllers (never for a lock).', false),
  });

  const node = settings({
    name: optional(text(64), 'A label for logs and `myseal status`.'),
    children: optional(
      z.record(idKey('child', 0, MAX_CHILD), child, { error: (i) => `${show(i.input)} is not a map of child id to child` }),
      'The children by child id (0-254); at most one lock.',
    ),
    legacyEcb: optional(flag(), "Also accept the original script's AES-ECB PIN lines (docs/migrating.md).", false),
    allowFirmwareUpdate: optional(flag(), 'Controllers may reboot the node and stream it firmware: only during an update.', false),
  });

  return settings({
    gateway: optional(
      parsedBy(z.string({ error: (i) => `${show(i.input)} is not a URL (tcp://HOST:PORT, serial:///dev/PATH or mqtt://HOST:PORT)` }), (v) =>
        readGatewayField(v, ''),
      ),
      'The MySensors gateway: tcp://HOST:PORT, serial:///dev/PATH?baud=115200, mqtt://HOST:PORT?in=...&out=... or mqtts://... No login in the URL.',
    ),
    mqttCredentialsFile: optional(path(), "An mqtt:// or mqtts:// gateway's broker login: a 0600 file (user name, then password)."),
    mqttCaFile: optional(path(), "An mqtts:// gateway's broker: CA certificates (PEM) to trust instead of the system's."),
    listen: optional(hostPort, 'HOST:PORT of the gateway-compatible port controllers connect to.', DEFAULTS.listen),
    controllers: optional(
      settings({
        allow: optional(
          z.union([
            addressRange,
            z
              .array(addressRange)
              .min(1, { error: 'is an empty list (leave it out for the default: loopback clients only)' })
              .max(256, { error: 'has more than 256 entries (use networks: 192.168.1.0/24)' }),
          ]),
          'IP addresses and networks (CIDR) that may connect to listen; no host names.',
        ),
        mqtt: optional(
          parsedBy(z.string({ error: (i) => `${show(i.input)} is not an mqtt://HOST:PORT or mqtts://HOST:PORT URL` }), (v) => parseBrokerUrl(v, '')),
          'For a TCP or serial gateway: the broker where controllers find PIN entry and Home Assistant discovery.',
        ),
        mqttCredentialsFile: optional(path(), "controllers.mqtt's login: a 0600 file (user name, then password)."),
        mqttCaFile: optional(path(), "controllers.mqtt's CA certificates (PEM), for mqtts:// only."),
      }),
      'What controllers may reach, and where.',
    ),
    mqttProxy: optional(
      settings({
        inPrefix: optional(topicPrefix, 'Controllers publish commands here.', DEFAULTS.mqttInPrefix),
        outPrefix: optional(topicPrefix, 'MySeal publishes what nodes report here.', DEFAULTS.mqttOutPrefix),
      }),
      "The topic prefixes controllers use instead of an MQTT gateway's own.",
    ),
    homeAssistant: optional(
      settings({
        discovery: optional(flag(), 'Publish MQTT discovery for every sealed child.', DEFAULTS.discovery),
        prefix: optional(topicPrefix, "Home Assistant's discovery prefix.", DEFAULTS.discoveryPrefix),
      }),
      "Home Assistant's MQTT discovery (Domoticz and openHAB read it too).",
    ),
    http: optional(
      settings({
        listen: optional(hostPort, 'HOST:PORT of the HTTP API and web page; off loopback it needs tokenFile.', DEFAULTS.httpListen),
        tokenFile: optional(path(), 'A 0600 file holding the API token.'),
        rateLimitPerMinute: optional(integer(1, 600), 'PIN tries per minute for any one node.', DEFAULTS.rateLimitPerMinute),
        tls: optional(
          settings({
            cert: path('the certificate file, PEM').meta({ description: "The certificate (PEM): the server's own first, then any chain." }),
            key: path('the private key file, PEM, mode 0600').meta({ description: 'Its private key (PEM, unencrypted, mode 0600).' }),
          }),
          'HTTPS instead of HTTP: both files or neither.',
        ),
      }),
      'The HTTP API and the web keypad.',
    ),
    stateDir: optional(path(), 'Where keys, counters and the audit log live (default $XDG_STATE_HOME/myseal, else ~/.local/state/myseal).'),
    pinEntry: optional(
      settings({
        digitTimeoutMs: optional(integer(1000, 120_000), 'How long to wait for the next digit, in ms.', DEFAULTS.digitTimeoutMs),
        submitKey: optional(keyChar(), 'The key that sends the digits typed so far (quote it).', DEFAULTS.submitKey),
        clearKey: optional(keyChar(), 'The key that drops the digits typed so far (quote it).', DEFAULTS.clearKey),
      }),
      'Entering a PIN one digit at a time.',
    ),
    nodes: optional(
      // `5:` with nothing after it is node 5 with every default (plain-document.ts).
      z.record(idKey('node', MIN_NODE_ID, MAX_NODE_ID), node.nullable(), { error: (i) => `${show(i.input)} is not a map of node id to node` }),
      'The nodes MySeal protects, by MySensors node id (0-254).',
    ),
    log: optional(
      settings({
        level: optional(choice(LOG_LEVELS), "The daemon's log level.", DEFAULTS.logLevel),
        auditMaxBytes: optional(integer(4096, 1024 ** 3), 'The audit log is rotated past this size.', DEFAULTS.auditMaxBytes),
        auditKeep: optional(integer(1, 100), 'How many rotated audit files to keep.', DEFAULTS.auditKeep),
      }),
      'The daemon log and the audit log.',
    ),
  });
}

export type ConfigSchema = ReturnType<typeof build>;
/** A valid document as the schema gives it back: every value read, nothing defaulted yet. */
export type ConfigDocument = Z.output<ConfigSchema>;

let built: ConfigSchema | undefined;

export function configSchema(): ConfigSchema {
  return (built ??= build(zod()));
}
