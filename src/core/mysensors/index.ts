/** The MySensors 2.3 wire codec: enums, message rules, gateway lines, MQTT topics, the line framer. */
export * from './enums.ts';
export * from './message.ts';
export * from './line.ts';
export * from './mqtt-topic.ts';
export * from './line-framer.ts';
