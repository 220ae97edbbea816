// nbkey browser check: the page script.
//
// A thin re-statement, on top of tweetnacl (window.nacl, Debian's node-tweetnacl nacl-fast.js),
// of what the NumerBay web app does in the buyer's browser with tweetnacl,
// tweetnacl-sealedbox-js and eth-sig-util. Written for this project from the byte formats in
// docs/FORMATS.md; no code is copied from those libraries.
//
// Part 1 (NBWeb) is the web-app side: sealed boxes, the eth-sig-util envelope, the wrapped keys,
// the key file. Part 2 (NB.run) is the harness the Python driver calls through WebDriver:
// a batch of {op, args} in, a list of {ok, value | error} out; bytes travel as base64.
//
// tweetnacl has no BLAKE2b, which the sealed-box nonce needs, so BLAKE2b is implemented below
// from RFC 7693 (sections 2.7, 3.1-3.3) and checked at load against the RFC's Appendix A test
// vector (BLAKE2b-512 of "abc"); if that check fails the page refuses to work (NB.ready false).
(function (global) {
  'use strict';
  var nacl = global.nacl;

  // ---------------------------------------------------------------- small byte helpers
  var B64_RE = /^(?:[A-Za-z0-9+\/]{4})*(?:[A-Za-z0-9+\/]{2}==|[A-Za-z0-9+\/]{3}=)?$/;

  function b64enc(u8) {
    var s = '';
    var CH = 0x8000;
    for (var i = 0; i < u8.length; i += CH) {
      s += String.fromCharCode.apply(null, u8.subarray(i, i + CH));
    }
    return global.btoa(s);
  }

  function b64dec(str) {
    if (typeof str !== 'string' || !B64_RE.test(str)) throw new Error('invalid base64');
    var s = global.atob(str);
    var u8 = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) u8[i] = s.charCodeAt(i);
    return u8;
  }

  function hexenc(u8) {
    var s = '';
    for (var i = 0; i < u8.length; i++) s += (u8[i] < 16 ? '0' : '') + u8[i].toString(16);
    return s;
  }

  function hexdec(str) {
    if (typeof str !== 'string') throw new Error('invalid hex');
    if (str.slice(0, 2) === '0x' || str.slice(0, 2) === '0X') str = str.slice(2);
    if (str.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(str)) throw new Error('invalid hex');
    var u8 = new Uint8Array(str.length / 2);
    for (var i = 0; i < u8.length; i++) u8[i] = parseInt(str.substr(2 * i, 2), 16);
    return u8;
  }

  function utf8enc(s) { return new TextEncoder().encode(s); }

  function utf8dec(u8) {
    // fatal: invalid UTF-8 is an error, as in eth-sig-util (tweetnacl-util's encodeUTF8 throws
    // on it too), rather than silently becoming U+FFFD.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(u8);
  }

  function concat(a, b) {
    var r = new Uint8Array(a.length + b.length);
    r.set(a, 0);
    r.set(b, a.length);
    return r;
  }

  function bytesEqual(a, b) {
    if (a.length !== b.length) return false;
    var d = 0;
    for (var i = 0; i < a.length; i++) d |= a[i] ^ b[i];
    return d === 0;
  }

  // ---------------------------------------------------------------- BLAKE2b (RFC 7693)
  // Straight from the RFC's pseudo-code, with BigInt for the 64-bit words. Only ever used on
  // 64-byte inputs (the sealed-box nonce) and in self-tests, so speed does not matter.
  var M64 = (1n << 64n) - 1n;
  var B2B_IV = [ // RFC 7693 section 2.6 (the SHA-512 initial values)
    0x6A09E667F3BCC908n, 0xBB67AE8584CAA73Bn, 0x3C6EF372FE94F82Bn, 0xA54FF53A5F1D36F1n,
    0x510E527FADE682D1n, 0x9B05688C2B3E6C1Fn, 0x1F83D9ABFB41BD6Bn, 0x5BE0CD19137E2179n
  ];
  var B2B_SIGMA = [ // RFC 7693 section 2.7
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
    [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
    [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
    [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
    [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
    [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
    [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
    [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
    [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
    [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0]
  ];

  function rotr64(x, n) { return ((x >> BigInt(n)) | (x << BigInt(64 - n))) & M64; }

  // RFC 7693 section 3.1: the mixing function G, rotation constants (R1..R4) = (32, 24, 16, 63).
  function b2bG(v, a, b, c, d, x, y) {
    v[a] = (v[a] + v[b] + x) & M64;
    v[d] = rotr64(v[d] ^ v[a], 32);
    v[c] = (v[c] + v[d]) & M64;
    v[b] = rotr64(v[b] ^ v[c], 24);
    v[a] = (v[a] + v[b] + y) & M64;
    v[d] = rotr64(v[d] ^ v[a], 16);
    v[c] = (v[c] + v[d]) & M64;
    v[b] = rotr64(v[b] ^ v[c], 63);
  }

  // RFC 7693 section 3.2: compression function F; block is 128 bytes, t the byte offset counter.
  function b2bF(h, block, t, last) {
    var m = new Array(16);
    for (var i = 0; i < 16; i++) {
      var w = 0n;
      for (var j = 7; j >= 0; j--) w = (w << 8n) | BigInt(block[8 * i + j]);
      m[i] = w;
    }
    var v = h.slice(0, 8).concat(B2B_IV);
    v[12] ^= BigInt(t) & M64;
    v[13] ^= (BigInt(t) >> 64n) & M64;
    if (last) v[14] ^= M64;
    for (var r = 0; r < 12; r++) {
      var s = B2B_SIGMA[r % 10];
      b2bG(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
      b2bG(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
      b2bG(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
      b2bG(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
      b2bG(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
      b2bG(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
      b2bG(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
      b2bG(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
    }
    for (var k = 0; k < 8; k++) h[k] = h[k] ^ v[k] ^ v[k + 8];
  }

  // RFC 7693 section 3.3: BLAKE2b(d, ll, kk, nn), unkeyed (kk = 0) here: 1 <= outlen <= 64.
  function blake2b(data, outlen) {
    if (!(outlen >= 1 && outlen <= 64)) throw new Error('blake2b: bad output length');
    var h = B2B_IV.slice();
    h[0] ^= 0x01010000n ^ BigInt(outlen); // parameter block: depth 1, fanout 1, kk 0, nn
    var ll = data.length;
    var dd = Math.max(1, Math.ceil(ll / 128));
    var block = new Uint8Array(128);
    for (var i = 0; i < dd - 1; i++) {
      b2bF(h, data.subarray(128 * i, 128 * (i + 1)), 128 * (i + 1), false);
    }
    block.fill(0);
    block.set(data.subarray(128 * (dd - 1)));
    b2bF(h, block, ll, true);
    var out = new Uint8Array(outlen);
    for (var n = 0; n < outlen; n++) out[n] = Number((h[n >> 3] >> BigInt(8 * (n & 7))) & 0xFFn);
    return out;
  }

  // RFC 7693 Appendix A: BLAKE2b-512("abc").
  var RFC7693_ABC_512 =
    'ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1' +
    '7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923';
  var blake2bSelfTest = hexenc(blake2b(utf8enc('abc'), 64)) === RFC7693_ABC_512;

  // ================================================================ Part 1: the web app side
  var NBWeb = {};

  // FORMATS.md 1: key pair as nacl.box.keyPair() makes it; public from a stored secret.
  NBWeb.keyPair = function () { return nacl.box.keyPair(); };
  NBWeb.keyPairFromSecret = function (sk) { return nacl.box.keyPair.fromSecretKey(sk); };

  // FORMATS.md 2: the key file the web app's "Export key file" downloads.
  NBWeb.exportKeyFile = function (kp) {
    return JSON.stringify({ public_key: b64enc(kp.publicKey), private_key: b64enc(kp.secretKey) });
  };
  NBWeb.importKeyFile = function (text) {
    var o = JSON.parse(text);
    if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new Error('key file: not a JSON object');
    var sk = b64dec(o.private_key);
    if (sk.length !== 32) throw new Error('key file: private_key is not 32 bytes');
    var kp = nacl.box.keyPair.fromSecretKey(sk);
    var pk = o.public_key === undefined ? null : b64dec(o.public_key);
    return { keyPair: kp, publicKeyMatches: pk === null ? null : bytesEqual(pk, kp.publicKey) };
  };

  // FORMATS.md 3: tweetnacl-sealedbox-js's construction on nacl.box.
  NBWeb.sealNonce = function (epk, rpk) { return blake2b(concat(epk, rpk), 24); };
  NBWeb.seal = function (message, recipientPk, ephemeralSk /* optional: reproduce a vector */) {
    var ek = ephemeralSk ? nacl.box.keyPair.fromSecretKey(ephemeralSk) : nacl.box.keyPair();
    var nonce = NBWeb.sealNonce(ek.publicKey, recipientPk);
    var boxed = nacl.box(message, nonce, recipientPk, ek.secretKey);
    return concat(ek.publicKey, boxed);
  };
  NBWeb.sealOpen = function (sealed, recipientPk, recipientSk) { // null when it does not open
    if (sealed.length < 32 + nacl.box.overheadLength) return null;
    var epk = sealed.subarray(0, 32);
    var nonce = NBWeb.sealNonce(epk, recipientPk);
    return nacl.box.open(sealed.subarray(32), nonce, epk, recipientSk);
  };

  // FORMATS.md 4: MetaMask's encryption public key: the eth key used as is as X25519 secret.
  NBWeb.encryptionPublicKey = function (ethSk) {
    return b64enc(nacl.box.keyPair.fromSecretKey(ethSk).publicKey);
  };

  // FORMATS.md 5: eth-sig-util's encrypt / decrypt (version x25519-xsalsa20-poly1305).
  var ENVELOPE_VERSION = 'x25519-xsalsa20-poly1305';
  NBWeb.ethEncrypt = function (publicKeyB64, data, opts) {
    opts = opts || {};
    if (typeof data !== 'string') throw new Error('Message data must be given as a string');
    var ek = opts.ephemeralSk ? nacl.box.keyPair.fromSecretKey(opts.ephemeralSk) : nacl.box.keyPair();
    var pk = b64dec(publicKeyB64);
    var nonce = opts.nonce || nacl.randomBytes(nacl.box.nonceLength);
    var ct = nacl.box(utf8enc(data), nonce, pk, ek.secretKey);
    return {
      version: ENVELOPE_VERSION,
      nonce: b64enc(nonce),
      ephemPublicKey: b64enc(ek.publicKey),
      ciphertext: b64enc(ct)
    };
  };
  NBWeb.ethDecrypt = function (envelope, ethSk) {
    if (envelope.version !== ENVELOPE_VERSION) throw new Error('Encryption type/version not supported.');
    var sk = nacl.box.keyPair.fromSecretKey(ethSk).secretKey;
    var out = nacl.box.open(b64dec(envelope.ciphertext), b64dec(envelope.nonce),
      b64dec(envelope.ephemPublicKey), sk);
    if (!out) throw new Error('Decryption failed.');
    return utf8dec(out);
  };
  // eth_decrypt's other input form: 0x + hex of the UTF-8 bytes of the envelope JSON.
  NBWeb.envelopeToHex = function (envelope) { return '0x' + hexenc(utf8enc(JSON.stringify(envelope))); };
  NBWeb.parseEnvelope = function (text) {
    text = text.trim();
    if (text.slice(0, 2) === '0x') text = utf8dec(hexdec(text));
    var o = JSON.parse(text);
    if (o === null || typeof o !== 'object') throw new Error('envelope: not a JSON object');
    return o;
  };
  // encryptSafely's padding (FORMATS.md 5). strict: like eth-sig-util, throw when the count is
  // negative; otherwise pad to the next multiple of 2048 as FORMATS.md recommends.
  var PAD_BLOCK = 2048, NACL_EXTRA = 16;
  NBWeb.safePaddingCount = function (data, strict) {
    var L = utf8enc(JSON.stringify({ data: data, padding: '' })).length;
    var mod = L % PAD_BLOCK;
    if (mod === 0) return 0;
    var n = PAD_BLOCK - mod - NACL_EXTRA;
    if (n < 0) {
      if (strict) throw new RangeError('Invalid count value: ' + n);
      n += PAD_BLOCK;
    }
    return n;
  };
  NBWeb.safePlaintext = function (data, strict) {
    return JSON.stringify({ data: data, padding: '0'.repeat(NBWeb.safePaddingCount(data, strict)) });
  };
  NBWeb.encryptSafely = function (publicKeyB64, data, opts) {
    opts = opts || {};
    return NBWeb.ethEncrypt(publicKeyB64, NBWeb.safePlaintext(data, opts.strict), opts);
  };
  NBWeb.decryptSafely = function (envelope, ethSk) {
    return JSON.parse(NBWeb.ethDecrypt(envelope, ethSk)).data;
  };

  // FORMATS.md 6: scheme v1: Uint8Array.prototype.toString() of the key, envelope to the wallet.
  NBWeb.v1Plaintext = function (sk) { return sk.toString(); };
  NBWeb.v1Parse = function (text) {
    var parts = text.split(',');
    if (parts.length !== 32) throw new Error('v1: expected 32 numbers, got ' + parts.length);
    var sk = new Uint8Array(32);
    for (var i = 0; i < 32; i++) {
      // only what Uint8Array.prototype.toString() prints: no sign, space or leading zero
      if (!/^(0|[1-9][0-9]{0,2})$/.test(parts[i])) throw new Error('v1: not a decimal byte: ' + JSON.stringify(parts[i]));
      var n = parseInt(parts[i], 10);
      if (n > 255) throw new Error('v1: number out of range: ' + n);
      sk[i] = n;
    }
    return sk;
  };
  NBWeb.wrapV1 = function (sk, walletEncPkB64, opts) {
    return JSON.stringify(NBWeb.ethEncrypt(walletEncPkB64, NBWeb.v1Plaintext(sk), opts));
  };
  NBWeb.unwrapV1 = function (stored, ethSk) {
    return NBWeb.v1Parse(NBWeb.ethDecrypt(NBWeb.parseEnvelope(stored), ethSk));
  };

  // FORMATS.md 7: scheme v2: secretbox under the storage key (keccak256 of the wallet's
  // signature over the salt message; computed outside the page).
  NBWeb.v2SaltMessage = function (saltBytes) {
    return 'Sign this to retrieve your encryption key.\n\nSalt:' + b64enc(saltBytes || nacl.randomBytes(32));
  };
  NBWeb.v2Inner = function (sk) { return JSON.stringify({ data: b64enc(sk) }); };
  NBWeb.wrapV2 = function (sk, storageKey, saltMessage, opts) {
    opts = opts || {};
    var nonce = opts.nonce || nacl.randomBytes(nacl.secretbox.nonceLength);
    var box = nacl.secretbox(utf8enc(NBWeb.v2Inner(sk)), nonce, storageKey);
    return JSON.stringify({ data: b64enc(concat(nonce, box)), salt: saltMessage });
  };
  NBWeb.v2Salt = function (stored) { return JSON.parse(stored).salt; };
  NBWeb.unwrapV2 = function (stored, storageKey) {
    var o = JSON.parse(stored);
    var raw = b64dec(o.data);
    if (raw.length < nacl.secretbox.nonceLength + nacl.secretbox.overheadLength) throw new Error('v2: data too short');
    var inner = nacl.secretbox.open(raw.subarray(24), raw.subarray(0, 24), storageKey);
    if (!inner) throw new Error('v2: secretbox does not open');
    var sk = b64dec(JSON.parse(utf8dec(inner)).data);
    if (sk.length !== 32) throw new Error('v2: key is not 32 bytes');
    return sk;
  };

  // ================================================================ Part 2: the harness
  function pattern(n) { // byte i = i % 251
    var u8 = new Uint8Array(n);
    for (var i = 0; i < n; i++) u8[i] = i % 251;
    return u8;
  }

  function sha256hex(u8) {
    return global.crypto.subtle.digest('SHA-256', u8).then(function (d) { return hexenc(new Uint8Array(d)); });
  }

  // A bytes argument: a base64 string, or {b64}, {hex}, {utf8}, {pattern: length}.
  function bytesArg(a) {
    if (typeof a === 'string') return b64dec(a);
    if (a && typeof a === 'object') {
      if ('b64' in a) return b64dec(a.b64);
      if ('hex' in a) return hexdec(a.hex);
      if ('utf8' in a) return utf8enc(a.utf8);
      if ('pattern' in a) return pattern(a.pattern);
    }
    throw new Error('bad bytes argument');
  }

  // A bytes result: length and SHA-256 always; the bytes too unless the caller asked for less.
  function bytesResult(u8, args) {
    return sha256hex(u8).then(function (h) {
      var r = { len: u8.length, sha256: h };
      if (!(args && args.digest_only)) r.b64 = b64enc(u8);
      return r;
    });
  }

  var OPS = {
    selftest: function () { return { blake2b_rfc7693_abc: blake2bSelfTest }; },
    blake2b: function (a) { return hexenc(blake2b(bytesArg(a.data), a.outlen)); },
    sha256: function (a) { return sha256hex(bytesArg(a.data)); },
    keygen: function () {
      var kp = NBWeb.keyPair();
      return { public_key: b64enc(kp.publicKey), private_key: b64enc(kp.secretKey), key_file: NBWeb.exportKeyFile(kp) };
    },
    random_bytes: function (a) { return b64enc(nacl.randomBytes(a.n)); },
    public_key: function (a) { return b64enc(NBWeb.keyPairFromSecret(bytesArg(a.secret_key)).publicKey); },
    key_file_export: function (a) { return NBWeb.exportKeyFile(NBWeb.keyPairFromSecret(bytesArg(a.secret_key))); },
    key_file_import: function (a) { // the file's bytes, as a browser File gives them
      var text = a.bytes !== undefined ? utf8dec(bytesArg(a.bytes)) : a.text;
      var r = NBWeb.importKeyFile(text);
      if (r.publicKeyMatches !== true) throw new Error('key file: public_key does not match private_key');
      return { public_key: b64enc(r.keyPair.publicKey), private_key: b64enc(r.keyPair.secretKey),
        public_key_matches: r.publicKeyMatches, export: NBWeb.exportKeyFile(r.keyPair) };
    },
    encryption_public_key: function (a) { return NBWeb.encryptionPublicKey(bytesArg(a.eth_private_key)); },
    seal: function (a) {
      var out = NBWeb.seal(bytesArg(a.plaintext), bytesArg(a.recipient_public_key),
        a.ephemeral_secret_key ? bytesArg(a.ephemeral_secret_key) : null);
      return bytesResult(out, a);
    },
    seal_open: function (a) {
      var sk = bytesArg(a.secret_key);
      var pk = a.public_key ? bytesArg(a.public_key) : NBWeb.keyPairFromSecret(sk).publicKey;
      var out = NBWeb.sealOpen(bytesArg(a.sealed), pk, sk);
      if (out === null) throw new Error('sealed box does not open');
      return bytesResult(out, a);
    },
    eth_encrypt: function (a) {
      var opts = {
        ephemeralSk: a.ephemeral_secret_key ? bytesArg(a.ephemeral_secret_key) : null,
        nonce: a.nonce ? bytesArg(a.nonce) : null,
        strict: !!a.strict
      };
      var data = typeof a.data === 'string' ? a.data : utf8dec(bytesArg(a.data));
      var env = a.safe ? NBWeb.encryptSafely(a.public_key, data, opts) : NBWeb.ethEncrypt(a.public_key, data, opts);
      return a.hex ? NBWeb.envelopeToHex(env) : JSON.stringify(env);
    },
    eth_encrypt_for: function (a) { // eth_encrypt to the encryption public key of an eth key
      var args = Object.assign({}, a, { public_key: NBWeb.encryptionPublicKey(bytesArg(a.eth_private_key)) });
      return OPS.eth_encrypt(args);
    },
    eth_decrypt: function (a) { // result: the plaintext's UTF-8 bytes as base64 (byte-exact)
      var env = NBWeb.parseEnvelope(a.text);
      var sk = bytesArg(a.eth_private_key);
      var s = a.safe ? NBWeb.decryptSafely(env, sk) : NBWeb.ethDecrypt(env, sk);
      if (typeof s !== 'string') throw new Error('decrypted data is not a string');
      return b64enc(utf8enc(s));
    },
    eth_decrypt_raw: function (a) { // the box plaintext (before decryptSafely's JSON.parse)
      return b64enc(utf8enc(NBWeb.ethDecrypt(NBWeb.parseEnvelope(a.text), bytesArg(a.eth_private_key))));
    },
    safe_padding: function (a) {
      var data = typeof a.data === 'string' ? a.data : utf8dec(bytesArg(a.data));
      var strictThrows = false;
      try { NBWeb.safePaddingCount(data, true); } catch (e) { strictThrows = true; }
      var plain = utf8enc(NBWeb.safePlaintext(data, !!a.strict));
      return { unpadded_length: utf8enc(JSON.stringify({ data: data, padding: '' })).length,
        padding_length: NBWeb.safePaddingCount(data, !!a.strict), strict_throws: strictThrows,
        plaintext_length: plain.length, box_length: plain.length + NACL_EXTRA };
    },
    safe_plaintext: function (a) { return NBWeb.safePlaintext(a.data, !!a.strict); },
    json_canonical: function (a) { return JSON.stringify(JSON.parse(a.text)); },
    // The forms the web app itself builds, field by field in its own order: a text that only
    // reorders the keys is not what the web app writes.
    envelope_canonical: function (a) {
      var o = JSON.parse(a.text);
      return JSON.stringify({ version: o.version, nonce: o.nonce, ephemPublicKey: o.ephemPublicKey, ciphertext: o.ciphertext });
    },
    v2_canonical: function (a) { var o = JSON.parse(a.text); return JSON.stringify({ data: o.data, salt: o.salt }); },
    v1_plaintext: function (a) { return NBWeb.v1Plaintext(bytesArg(a.secret_key)); },
    v1_parse: function (a) { return b64enc(NBWeb.v1Parse(a.text)); },
    wrap_v1: function (a) {
      return NBWeb.wrapV1(bytesArg(a.secret_key), a.wallet_public_key, {
        ephemeralSk: a.ephemeral_secret_key ? bytesArg(a.ephemeral_secret_key) : null,
        nonce: a.nonce ? bytesArg(a.nonce) : null
      });
    },
    wrap_v1_for: function (a) {
      var args = Object.assign({}, a, { wallet_public_key: NBWeb.encryptionPublicKey(bytesArg(a.eth_private_key)) });
      return OPS.wrap_v1(args);
    },
    unwrap_v1: function (a) { return b64enc(NBWeb.unwrapV1(a.stored, bytesArg(a.eth_private_key))); },
    v2_salt_message: function (a) { return NBWeb.v2SaltMessage(a && a.salt ? bytesArg(a.salt) : null); },
    v2_inner: function (a) { return NBWeb.v2Inner(bytesArg(a.secret_key)); },
    wrap_v2: function (a) {
      return NBWeb.wrapV2(bytesArg(a.secret_key), bytesArg(a.storage_key), a.salt_message,
        { nonce: a.nonce ? bytesArg(a.nonce) : null });
    },
    unwrap_v2: function (a) { return b64enc(NBWeb.unwrapV2(a.stored, bytesArg(a.storage_key))); },
    v2_salt: function (a) { return NBWeb.v2Salt(a.stored); }
  };

  function runOne(item) {
    return new Promise(function (resolve) {
      var op = OPS[item.op];
      if (!op) throw new Error('unknown op ' + item.op);
      resolve(op(item.args || {}));
    }).then(function (v) { return { ok: true, value: v }; },
      function (e) { return { ok: false, error: String(e && e.message || e) }; });
  }

  var NB = {
    ready: blake2bSelfTest && !!nacl,
    blake2bSelfTest: blake2bSelfTest,
    tweetnacl: !!nacl,
    run: function (batch) { // sequential, so a batch's results are in order
      var results = [];
      var p = Promise.resolve();
      batch.forEach(function (item) {
        p = p.then(function () { return runOne(item); }).then(function (r) { results.push(r); });
      });
      return p.then(function () { return results; });
    }
  };
  global.NBWeb = NBWeb;
  global.NB = NB;
})(typeof window !== 'undefined' ? window : globalThis);
