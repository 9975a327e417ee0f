/**
 * The gateways' default settings, apart from the transports that use them: reading a gateway URL
 * (and so every command that loads the configuration) must not load the serial and MQTT libraries.
 */

/** MY_PORT of the Ethernet gateway examples. */
export const DEFAULT_TCP_PORT = 5003;

/** MY_BAUD_RATE of the serial gateway examples. */
export const DEFAULT_BAUD_RATE = 115_200;
