/*
 * The node's storage for test programs that do not build the sketch API themselves (the fuzzer,
 * the harness on the simulated chip): MySeal.h's own definitions of myseal_storage_read() and
 * myseal_storage_write(), over the MySensors stand-in's hwReadConfigBlock() and
 * hwWriteConfigBlock(), which end in the EEPROM image that can lose power after any byte. Programs
 * that include MySeal.h elsewhere (node_host's serve mode, the examples) do not link this file.
 */
#include <MySensors.h>
#include <MySeal.h>
