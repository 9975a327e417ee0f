/*
 * MySeal host test: the portable self-test (test/common) plus what only a PC can do: a
 * cross-check against Node's AES-128-CCM on random cases, and the MySensors stand-in.
 * Built with AddressSanitizer and UBSan by arduino/test/host.test.ts.
 *
 *   host_test <cases-file>
 *
 * cases-file: one case per line, "key nonce aad pt ct tag" in hex, "-" for an empty field.
 * Exit status 0 only if every check passed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <MySensors.h>

#include "../common/selftest.h"
#include "myseal_ccm.h"

void selftest_emit(const char *text)
{
	fputs(text, stdout);
}

void selftest_emit_u32(uint32_t value)
{
	printf("%lu", (unsigned long)value);
}

void selftest_emit_hex(const uint8_t *bytes, uint8_t n)
{
	for (uint8_t i = 0; i < n; i++) {
		printf("%02X", bytes[i]);
	}
}

static uint8_t field(const char *text, uint8_t *out, size_t max)
{
	if (strcmp(text, "-") == 0) {
		return 0;
	}
	size_t n = strlen(text);
	if (n % 2 != 0 || n / 2 > max) {
		fprintf(stderr, "bad field '%s'\n", text);
		exit(2);
	}
	return selftest_unhex(text, out);
}

/* Node made each case; MySeal must produce the same ciphertext and tag and open it again. */
static void group_node_random(struct selftest_totals *totals, const char *path)
{
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		perror(path);
		exit(2);
	}
	uint32_t checks = 0, failures = 0;
	char k[64], n[64], a[128], p[128], c[128], t[64];
	while (fscanf(f, "%63s %63s %127s %127s %127s %63s", k, n, a, p, c, t) == 6) {
		uint8_t key[16], nonce[13], aad[32], pt[32], ct[32], tag[8], out[32], out_tag[8];
		if (field(k, key, 16) != 16 || field(n, nonce, 13) != 13 || field(t, tag, 8) != 8) {
			fprintf(stderr, "bad case line %lu\n", (unsigned long)checks + 1);
			exit(2);
		}
		uint8_t aad_len = field(a, aad, sizeof aad);
		uint8_t len = field(p, pt, sizeof pt);
		if (field(c, ct, sizeof ct) != len) {
			fprintf(stderr, "ct length differs from pt length\n");
			exit(2);
		}
		checks++;
		bool bad = false;
		myseal_ccm_seal_aad(key, nonce, aad, aad_len, pt, len, out, out_tag);
		bad |= memcmp(out, ct, len) != 0 || memcmp(out_tag, tag, 8) != 0;
		bad |= !myseal_ccm_open_aad(key, nonce, aad, aad_len, ct, len, tag, out);
		bad |= memcmp(out, pt, len) != 0;
		if (aad_len == 0) {
			myseal_ccm_seal(key, nonce, pt, len, out, out_tag);
			bad |= memcmp(out, ct, len) != 0 || memcmp(out_tag, tag, 8) != 0;
			bad |= !myseal_ccm_open(key, nonce, ct, len, tag, out);
			bad |= memcmp(out, pt, len) != 0;
		}
		tag[checks % 8] ^= 0x80;  // and a wrong tag must not open
		bad |= myseal_ccm_open_aad(key, nonce, aad, aad_len, ct, len, tag, out);
		if (bad) {
			failures++;
			if (failures <= 3) {
				printf("node mismatch on case %lu: %s %s %s %s\n", (unsigned long)checks, k, n, a, p);
			}
		}
	}
	fclose(f);
	selftest_group_end(totals, "node-random", checks, failures);
}

/* The MySensors stand-in behaves like MySensors 2.3.2 where sketches can see it. */
/* The addresses the EEPROM image was written at, in order. */
static uint16_t written[8];
static uint8_t written_count;
static void note_write(uint16_t address, uint8_t value)
{
	(void)value;
	if (written_count < 8) {
		written[written_count++] = address;
	}
}

static void group_stubs(struct selftest_totals *totals)
{
	uint32_t checks = 0, failures = 0;
#define EXPECT(cond)                                                   \
	do {                                                               \
		checks++;                                                      \
		if (!(cond)) {                                                 \
			failures++;                                                \
			printf("stub check failed at line %d: %s\n", __LINE__, #cond); \
		}                                                              \
	} while (0)

	MyMessage lock(3, V_LOCK_STATUS);
	EXPECT(lock.getSensor() == 3 && lock.getType() == V_LOCK_STATUS);
	EXPECT(lock.getDestination() == GATEWAY_ADDRESS && lock.getVersion() == PROTOCOL_VERSION);
	lock.set((uint8_t)1);
	EXPECT(lock.getLength() == 1 && lock.getPayloadType() == P_BYTE && lock.getBool());

	const uint8_t frame[25] = { 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
	                            13, 14, 15, 16, 17, 18, 19, 20, 21 };
	MyMessage bin(1, V_CUSTOM);
	bin.setCommand(C_STREAM).setDestination(7).setType(ST_SOUND);
	bin.set(frame, sizeof frame);
	EXPECT(bin.getLength() == 25 && bin.getPayloadType() == P_CUSTOM);
	EXPECT(memcmp(bin.getCustom(), frame, 25) == 0 && bin.getCommand() == C_STREAM);
	EXPECT(bin.getDestination() == 7 && bin.getType() == ST_SOUND);
	char hex[2 * MAX_PAYLOAD_SIZE + 1];
	EXPECT(strncmp(bin.getString(hex), "DEADBEEF0102", 12) == 0);
	bin.set(frame, 40);  // longer than a payload: cut to 25, as MySensors does
	EXPECT(bin.getLength() == MAX_PAYLOAD_SIZE);

	MyMessage text(0, V_TEXT);
	text.set("hello");
	EXPECT(text.getLength() == 5 && strcmp(text.getString(), "hello") == 0);
	text.set("0123456789012345678901234567890");
	EXPECT(text.getLength() == 25 && strlen(text.getString()) == 25);
	text.set("42");
	EXPECT(text.getByte() == 42 && text.getInt() == 42 && text.getULong() == 42);
	text.setRequestEcho(true).setEcho(true).setSigned(true);
	EXPECT(text.getRequestEcho() && text.isEcho() && text.isAck() && text.getSigned());
	EXPECT(text.getExpectedMessageSize() == HEADER_SIZE + MAX_PAYLOAD_SIZE);
	EXPECT(sizeof(MyMessage) == HEADER_SIZE + MAX_PAYLOAD_SIZE + 1);

	myseal_stub_set_node_id(42);
	myseal_stub_clear_sent();
	present(3, S_LOCK, "door");
	lock.set((uint8_t)0);
	send(lock, true);
	EXPECT(myseal_stub_sent_count() == 2);
	EXPECT(myseal_stub_sent(0).getCommand() == C_PRESENTATION && myseal_stub_sent(0).getType() == S_LOCK);
	EXPECT(myseal_stub_sent(1).getCommand() == C_SET && myseal_stub_sent(1).getRequestEcho());
	EXPECT(myseal_stub_sent(1).getSender() == 42 && myseal_stub_sent(1).getByte() == 0);
	// send() makes any message a C_SET, as MySensors 2.3.2 does; _sendRoute() keeps C_STREAM.
	bin.setCommand(C_STREAM);
	send(bin);
	EXPECT(myseal_stub_sent(2).getCommand() == C_SET);
	bin.setCommand(C_STREAM);
	_sendRoute(bin);
	EXPECT(myseal_stub_sent(3).getCommand() == C_STREAM && myseal_stub_sent(3).getType() == ST_SOUND);

	myseal_stub_eeprom_erase();
	EXPECT(loadState(0) == 0xff);
	saveState(5, 0x17);
	saveState(5, 0x17);  // unchanged: no second write, as eeprom_update does
	EXPECT(loadState(5) == 0x17 && myseal_stub_eeprom()[EEPROM_LOCAL_CONFIG_ADDRESS + 5] == 0x17);
	EXPECT(myseal_stub_eeprom_writes() == 1);
	eeprom_update_dword((uint32_t *)16, 0x01020304UL);
	EXPECT(eeprom_read_dword((const uint32_t *)16) == 0x01020304UL && myseal_stub_eeprom()[16] == 4);
	// MySensors' hardware layer, as MySeal.h stores through it: a block lands where it is sent,
	// last byte first (avr-libc's order) unless told otherwise; unchanged bytes are not rewritten.
	uint8_t block[3] = { 7, 8, 9 }, back[3];
	void *const at = reinterpret_cast<void *>(static_cast<uintptr_t>(700));
	written_count = 0;
	myseal_stub_eeprom_before_write = note_write;
	hwWriteConfigBlock(block, at, sizeof block);
	hwReadConfigBlock(back, at, sizeof back);
	EXPECT(memcmp(back, block, 3) == 0 && written_count == 3 && written[0] == 702 && written[2] == 700);
	block[0] = 6;
	myseal_stub_eeprom_first_to_last = true;
	hwWriteConfigBlock(block, at, sizeof block);
	myseal_stub_eeprom_first_to_last = false;
	myseal_stub_eeprom_before_write = NULL;
	EXPECT(written_count == 4 && written[3] == 700 && myseal_stub_eeprom()[700] == 6);

	uint32_t t0 = millis();
	wait(1500);
	EXPECT(millis() - t0 == 1500);
#undef EXPECT
	selftest_group_end(totals, "mysensors-stubs", checks, failures);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: host_test <cases-file>\n");
		return 2;
	}
	struct selftest_totals totals = { 0, 0 };
	selftest_run(&totals);
	group_node_random(&totals, argv[1]);
	group_stubs(&totals);
	selftest_summary(&totals);
	return totals.failures == 0 ? 0 : 1;
}
