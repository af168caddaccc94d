package dev.modhttp.engine.tls;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * What a TLS ClientHello (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2) offers that decides which of a
 * server's key pairs serves: its cipher suites, its signature schemes (extension 13) and whether
 * it offers TLS 1.3 (extension 43), each in the client's order. Read from the message body
 * (from {@code legacy_version} on); a malformed one reads as offering nothing, and the
 * handshake that follows refuses it.
 */
record ClientHello(List<Integer> cipherSuites, List<Integer> signatureSchemes, boolean tls13) {

    static final ClientHello NONE = new ClientHello(List.of(), List.of(), false);

    private static final int SIGNATURE_ALGORITHMS = 13;
    private static final int SUPPORTED_VERSIONS = 43;

    static ClientHello parse(ByteBuf in) {
        try {
            int end = in.writerIndex();
            int at = in.readerIndex() + 34; // legacy_version, random
            at += 1 + in.getUnsignedByte(at); // session id
            int suitesEnd = at + 2 + in.getUnsignedShort(at);
            List<Integer> suites = new ArrayList<>();
            for (at += 2; at + 2 <= suitesEnd; at += 2) {
                suites.add(in.getUnsignedShort(at));
            }
            at = suitesEnd;
            at += 1 + in.getUnsignedByte(at); // compression methods
            List<Integer> schemes = new ArrayList<>();
            boolean tls13 = false;
            if (at + 2 <= end) {
                int extensionsEnd = Math.min(end, at + 2 + in.getUnsignedShort(at));
                for (at += 2; at + 4 <= extensionsEnd; ) {
                    int type = in.getUnsignedShort(at);
                    int length = in.getUnsignedShort(at + 2);
                    int body = at + 4;
                    if (body + length > extensionsEnd) {
                        break;
                    }
                    if (type == SIGNATURE_ALGORITHMS && length >= 2) {
                        int listEnd = Math.min(body + length, body + 2 + in.getUnsignedShort(body));
                        for (int i = body + 2; i + 2 <= listEnd; i += 2) {
                            schemes.add(in.getUnsignedShort(i));
                        }
                    } else if (type == SUPPORTED_VERSIONS && length >= 1) {
                        int listEnd = Math.min(body + length, body + 1 + in.getUnsignedByte(body));
                        for (int i = body + 1; i + 2 <= listEnd; i += 2) {
                            tls13 |= in.getUnsignedShort(i) == 0x0304;
                        }
                    }
                    at = body + length;
                }
            }
            return new ClientHello(List.copyOf(suites), List.copyOf(schemes), tls13);
        } catch (IndexOutOfBoundsException e) {
            return NONE;
        }
    }

    /** The key type a TLS 1.3 signature scheme (RFC 8446 §4.2.3) signs with; null for none a pair can have. */
    static String schemeKeyType(int scheme) {
        int hash = scheme >> 8;
        int sign = scheme & 0xff;
        if (hash >= 4 && hash <= 6 && sign == 3) {
            return "EC"; // ecdsa_secp256r1_sha256 .. ecdsa_secp521r1_sha512
        }
        if (hash >= 4 && hash <= 6 && sign == 1 || scheme >= 0x0804 && scheme <= 0x0806 || scheme >= 0x0809 && scheme <= 0x080b) {
            return "RSA"; // rsa_pkcs1_*, rsa_pss_rsae_*, rsa_pss_pss_*
        }
        return scheme == 0x0807 || scheme == 0x0808 ? "EdDSA" : null;
    }

    /**
     * The key type a TLS 1.2 cipher suite authenticates with: {@code EC} for ECDHE_ECDSA (the
     * 0xC0xx ECDSA suites and 0xCCA9), null for TLS 1.3's suites and signalling values,
     * {@code RSA} otherwise.
     */
    static String suiteKeyType(int suite) {
        if (suite >> 8 == 0x13 || suite == 0x00ff || suite == 0x5600) {
            return null; // TLS 1.3's, the renegotiation and fallback SCSVs
        }
        boolean ecdsa = suite >= 0xc006 && suite <= 0xc00a || suite == 0xc023 || suite == 0xc024 || suite == 0xc02b
                || suite == 0xc02c || suite == 0xc072 || suite == 0xc073 || suite >= 0xc0ac && suite <= 0xc0af || suite == 0xcca9;
        return ecdsa ? "EC" : "RSA";
    }
}
