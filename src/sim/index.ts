/** The simulated MySensors 2.3.2 gateway: its core, virtual nodes, and the front ends that put it on sockets. */
export * from './gateway-core.ts';
export * from './controller-input.ts';
export * from './gateway-output.ts';
export * from './radio-message.ts';
export * from './radio.ts';
export * from './virtual-node.ts';
export * from './sealed-virtual-node.ts';
export * from './line-reader.ts';
export * from './tcp-front.ts';
export * from './serial-front.ts';
export * from './mqtt-front.ts';
