"""vectors/bip39.json: BIP-39 English mnemonics -> seed (FORMATS.md 8, docs/CLI.md wallet sources).

The 24 English vectors published with BIP-39 (Trezor's python-mnemonic vectors.json, passphrase
"TREZOR"), NFKD and white-space cases, and negatives. Every seed is computed with hashlib's
PBKDF2-HMAC-SHA512 and checked against the `mnemonic` package (Trezor's reference code),
through Interop/python/webapp.py."""

import hashlib
import unicodedata

from mnemonic import Mnemonic

from _common import webapp, rng, implementation, expect_error, write

NAME = "bip39"
r = rng(NAME)
M = Mnemonic("english")
cases = []

# BIP-39's English test vectors: trezor/python-mnemonic vectors.json ("english": entropy,
# mnemonic, seed, xprv; passphrase "TREZOR"), also listed in the BIP-39 text. Facts, checked
# below with hashlib and the mnemonic package.
TREZOR = [
    ("00000000000000000000000000000000",
     "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
     "c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d18264c1e1c92f2cf141630c7a3c4ab7c81b2f001698e7463b04"),
    ("7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f",
     "legal winner thank year wave sausage worth useful legal winner thank yellow",
     "2e8905819b8723fe2c1d161860e5ee1830318dbf49a83bd451cfb8440c28bd6fa457fe1296106559a3c80937a1c1069be3a3a5bd381ee6260e8d9739fce1f607"),
    ("80808080808080808080808080808080",
     "letter advice cage absurd amount doctor acoustic avoid letter advice cage above",
     "d71de856f81a8acc65e6fc851a38d4d7ec216fd0796d0a6827a3ad6ed5511a30fa280f12eb2e47ed2ac03b5c462a0358d18d69fe4f985ec81778c1b370b652a8"),
    ("ffffffffffffffffffffffffffffffff",
     "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo wrong",
     "ac27495480225222079d7be181583751e86f571027b0497b5b5d11218e0a8a13332572917f0f8e5a589620c6f15b11c61dee327651a14c34e18231052e48c069"),
    ("000000000000000000000000000000000000000000000000",
     "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon agent",
     "035895f2f481b1b0f01fcf8c289c794660b289981a78f8106447707fdd9666ca06da5a9a565181599b79f53b844d8a71dd9f439c52a3d7b3e8a79c906ac845fa"),
    ("7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f",
     "legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth useful legal will",
     "f2b94508732bcbacbcc020faefecfc89feafa6649a5491b8c952cede496c214a0c7b3c392d168748f2d4a612bada0753b52a1c7ac53c1e93abd5c6320b9e95dd"),
    ("808080808080808080808080808080808080808080808080",
     "letter advice cage absurd amount doctor acoustic avoid letter advice cage absurd amount doctor acoustic avoid letter always",
     "107d7c02a5aa6f38c58083ff74f04c607c2d2c0ecc55501dadd72d025b751bc27fe913ffb796f841c49b1d33b610cf0e91d3aa239027f5e99fe4ce9e5088cd65"),
    ("ffffffffffffffffffffffffffffffffffffffffffffffff",
     "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo when",
     "0cd6e5d827bb62eb8fc1e262254223817fd068a74b5b449cc2f667c3f1f985a76379b43348d952e2265b4cd129090758b3e3c2c49103b5051aac2eaeb890a528"),
    ("0000000000000000000000000000000000000000000000000000000000000000",
     "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon art",
     "bda85446c68413707090a52022edd26a1c9462295029f2e60cd7c4f2bbd3097170af7a4d73245cafa9c3cca8d561a7c3de6f5d4a10be8ed2a5e608d68f92fcc8"),
    ("7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f",
     "legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth title",
     "bc09fca1804f7e69da93c2f2028eb238c227f2e9dda30cd63699232578480a4021b146ad717fbb7e451ce9eb835f43620bf5c514db0f8add49f5d121449d3e87"),
    ("8080808080808080808080808080808080808080808080808080808080808080",
     "letter advice cage absurd amount doctor acoustic avoid letter advice cage absurd amount doctor acoustic avoid letter advice cage absurd amount doctor acoustic bless",
     "c0c519bd0e91a2ed54357d9d1ebef6f5af218a153624cf4f2da911a0ed8f7a09e2ef61af0aca007096df430022f7a2b6fb91661a9589097069720d015e4e982f"),
    ("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
     "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo vote",
     "dd48c104698c30cfe2b6142103248622fb7bb0ff692eebb00089b32d22484e1613912f0a5b694407be899ffd31ed3992c456cdf60f5d4564b8ba3f05a69890ad"),
    ("9e885d952ad362caeb4efe34a8e91bd2",
     "ozone drill grab fiber curtain grace pudding thank cruise elder eight picnic",
     "274ddc525802f7c828d8ef7ddbcdc5304e87ac3535913611fbbfa986d0c9e5476c91689f9c8a54fd55bd38606aa6a8595ad213d4c9c9f9aca3fb217069a41028"),
    ("6610b25967cdcca9d59875f5cb50b0ea75433311869e930b",
     "gravity machine north sort system female filter attitude volume fold club stay feature office ecology stable narrow fog",
     "628c3827a8823298ee685db84f55caa34b5cc195a778e52d45f59bcf75aba68e4d7590e101dc414bc1bbd5737666fbbef35d1f1903953b66624f910feef245ac"),
    ("68a79eaca2324873eacc50cb9c6eca8cc68ea5d936f98787c60c7ebc74e6ce7c",
     "hamster diagram private dutch cause delay private meat slide toddler razor book happy fancy gospel tennis maple dilemma loan word shrug inflict delay length",
     "64c87cde7e12ecf6704ab95bb1408bef047c22db4cc7491c4271d170a1b213d20b385bc1588d9c7b38f1b39d415665b8a9030c9ec653d75e65f847d8fc1fc440"),
    ("c0ba5a8e914111210f2bd131f3d5e08d",
     "scheme spot photo card baby mountain device kick cradle pact join borrow",
     "ea725895aaae8d4c1cf682c1bfd2d358d52ed9f0f0591131b559e2724bb234fca05aa9c02c57407e04ee9dc3b454aa63fbff483a8b11de949624b9f1831a9612"),
    ("6d9be1ee6ebd27a258115aad99b7317b9c8d28b6d76431c3",
     "horn tenant knee talent sponsor spell gate clip pulse soap slush warm silver nephew swap uncle crack brave",
     "fd579828af3da1d32544ce4db5c73d53fc8acc4ddb1e3b251a31179cdb71e853c56d2fcb11aed39898ce6c34b10b5382772db8796e52837b54468aeb312cfc3d"),
    ("9f6a2878b2520799a44ef18bc7df394e7061a224d2c33cd015b157d746869863",
     "panda eyebrow bullet gorilla call smoke muffin taste mesh discover soft ostrich alcohol speed nation flash devote level hobby quick inner drive ghost inside",
     "72be8e052fc4919d2adf28d5306b5474b0069df35b02303de8c1729c9538dbb6fc2d731d5f832193cd9fb6aeecbc469594a70e3dd50811b5067f3b88b28c3e8d"),
    ("23db8160a31d3e0dca3688ed941adbf3",
     "cat swing flag economy stadium alone churn speed unique patch report train",
     "deb5f45449e615feff5640f2e49f933ff51895de3b4381832b3139941c57b59205a42480c52175b6efcffaa58a2503887c1e8b363a707256bdd2b587b46541f5"),
    ("8197a4a47f0425faeaa69deebc05ca29c0a5b5cc76ceacc0",
     "light rule cinnamon wrap drastic word pride squirrel upgrade then income fatal apart sustain crack supply proud access",
     "4cbdff1ca2db800fd61cae72a57475fdc6bab03e441fd63f96dabd1f183ef5b782925f00105f318309a7e9c3ea6967c7801e46c8a58082674c860a37b93eda02"),
    ("066dca1a2bb7e8a1db2832148ce9933eea0f3ac9548d793112d9a95c9407efad",
     "all hour make first leader extend hole alien behind guard gospel lava path output census museum junior mass reopen famous sing advance salt reform",
     "26e975ec644423f4a4c4f4215ef09b4bd7ef924e85d1d17c4cf3f136c2863cf6df0a475045652c57eb5fb41513ca2a2d67722b77e954b4b3fc11f7590449191d"),
    ("f30f8c1da665478f49b001d94c5fc452",
     "vessel ladder alter error federal sibling chat ability sun glass valve picture",
     "2aaa9242daafcee6aa9d7269f17d4efe271e1b9a529178d7dc139cd18747090bf9d60295d0ce74309a78852a9caadf0af48aae1c6253839624076224374bc63f"),
    ("c10ec20dc3cd9f652c7fac2f1230f7a3c828389a14392f05",
     "scissors invite lock maple supreme raw rapid void congress muscle digital elegant little brisk hair mango congress clump",
     "7b4a10be9d98e6cba265566db7f136718e1398c71cb581e1b2f464cac1ceedf4f3e274dc270003c670ad8d02c4558b2f8e39edea2775c9e232c7cb798b069e88"),
    ("f585c11aec520db57dd353c69554b21a89b20fb0650966fa0a9d6f74fd989d8f",
     "void come effort suffer camp survey warrior heavy shoot primary clutch crush open amazing screen patrol group space point ten exist slush involve unfold",
     "01f5bced59dec48e362f2c45b5de68b9fd6c92c6634f44d6d40aab69056506f0e35524a518034ddc1192e1dacd32c1ed3eaa3c3b131c88ed8e7e54c49a5d0998"),
]
SOURCE = "trezor/python-mnemonic vectors.json (the BIP-39 English test vectors, passphrase TREZOR)"


def ok(id_, comment, mnemonic, passphrase, entropy=None):
    seed = webapp.bip39_seed(mnemonic, passphrase)
    c = {"id": id_, "comment": comment, "expect": "ok", "mnemonic": mnemonic, "passphrase": passphrase,
         "seed_hex": seed.hex()}
    if entropy is not None:
        c["entropy_hex"] = entropy.hex()
    cases.append(c)
    return seed


def bad(id_, comment, mnemonic, passphrase="", bad_word=None):
    c = {"id": id_, "comment": comment, "expect": "format", "mnemonic": mnemonic, "passphrase": passphrase}
    if bad_word is not None:
        c["bad_word"] = bad_word
    cases.append(c)


for i, (ent, words, seed) in enumerate(TREZOR, 1):
    n = len(words.split())
    got = ok(f"trezor-{i:02d}", f"BIP-39 published vector {i} of 24 ({n} words, passphrase TREZOR), from {SOURCE}",
             words, "TREZOR", bytes.fromhex(ent))
    assert got.hex() == seed, f"trezor vector {i}: seed differs"
    assert M.to_mnemonic(bytes.fromhex(ent)) == words, f"trezor vector {i}: mnemonic differs"

# Empty passphrase (MetaMask's choice), random entropy of every length.
for nbytes in (16, 20, 24, 28, 32):
    ent = r.randbytes(nbytes)
    words = M.to_mnemonic(ent)
    ok(f"random-{len(words.split())}-words-empty-passphrase",
       f"random {nbytes * 8}-bit entropy, {len(words.split())} words, empty passphrase", words, "", ent)

# NFKD of the passphrase: composed and decomposed forms, full-width letters.
ent = r.randbytes(16)
W = M.to_mnemonic(ent)
composed = "nbkey \u2615 \uff50\uff41\uff53\uff53 \u00e9"          # "nbkey ☕ ｐａｓｓ é" (é = U+00E9)
decomposed = "nbkey \u2615 \uff50\uff41\uff53\uff53 e\u0301"       # é = e + U+0301
nfkd = unicodedata.normalize("NFKD", composed)
assert nfkd == "nbkey \u2615 pass e\u0301" and unicodedata.normalize("NFKD", decomposed) == nfkd
s1 = ok("passphrase-nfkd-composed", "passphrase 'nbkey ☕ ｐａｓｓ é' with é composed (U+00E9) and full-width "
        "letters: PBKDF2 salt is 'mnemonic' + NFKD = 'nbkey ☕ pass e\u0301'", W, composed, ent)
s2 = ok("passphrase-nfkd-decomposed", "the same passphrase with é decomposed (e + U+0301): same seed as "
        "passphrase-nfkd-composed", W, decomposed, ent)
s3 = ok("passphrase-nfkd-normalised", "the same passphrase already in NFKD form ('nbkey ☕ pass e\u0301'): "
        "same seed", W, nfkd, ent)
assert s1 == s2 == s3
s4 = ok("passphrase-ascii-letters-composed", "passphrase 'nbkey ☕ pass é' without the full-width letters "
        "but composed é: same NFKD, same seed", W, "nbkey \u2615 pass \u00e9", ent)
assert s4 == s1
s5 = ok("passphrase-ascii-space", "passphrase with a leading and a trailing space: kept as they are "
        "(the CLI's passphrase file only loses one final line break)", W, " pass ", ent)
assert s5 != ok("passphrase-ascii-nospace", "passphrase 'pass': differs from ' pass '", W, "pass", ent)
ok("passphrase-long-unicode", "passphrase of 200 characters mixing Cyrillic, CJK and emoji",
   W, ("ключ 鍵 🔑 " * 25)[:200], ent)

# White space in the mnemonic: split on any run after NFKD, joined by single spaces for PBKDF2.
ent = r.randbytes(32)
W24 = M.to_mnemonic(ent)
ws = W24.split()
base_seed = ok("whitespace-canonical", "24 random words, single spaces (the canonical form)", W24, "", ent)
variants = [
    ("whitespace-extra-spaces", "double and triple spaces between words: same seed as whitespace-canonical",
     "  ".join(ws[:12]) + "   " + " ".join(ws[12:])),
    ("whitespace-leading-trailing-newline", "leading spaces, trailing newline (a mnemonic file): same seed",
     "  " + W24 + "\n"),
    ("whitespace-newlines-tabs-crlf", "words separated by newlines, tabs and CRLF: same seed",
     "\n".join(" ".join(ws[i:i + 4]) for i in range(0, 24, 4)).replace(" ", "\t", 3).replace("\n", "\r\n", 2)),
    ("whitespace-ideographic-space", "words separated by U+3000 IDEOGRAPHIC SPACE (NFKD makes it U+0020), "
     "as Japanese input methods type it: same seed", "\u3000".join(ws)),
    ("whitespace-fullwidth-letters", "words typed in full-width letters (U+FF41..) separated by U+3000: NFKD "
     "gives the ASCII words, same seed",
     "\u3000".join("".join(chr(ord(ch) - 0x61 + 0xFF41) for ch in w) for w in ws)),
]
# Issue 12: what MetaMask's import accepts (lower case, then the runs of \\w): any letter case,
# ASCII punctuation between words.
variants += [
    ("case-upper", "all 24 words in capitals: same seed (MetaMask lowers the case)", W24.upper()),
    ("case-mixed", "words capitalised and in mixed case: same seed",
     " ".join(w.capitalize() if i % 2 else w[:2].upper() + w[2:] for i, w in enumerate(ws))),
    ("punctuation-comma-list", "words separated by ', ' and ending with '.': same seed", ", ".join(ws) + "."),
    ("punctuation-json-array", "the words as a JSON array of strings on several lines: same seed",
     "[\n" + ",\n".join(f'  "{w}"' for w in ws) + "\n]\n"),
]
for id_, comment, text in variants:
    assert ok(id_, comment, text, "", ent) == base_seed, id_
    assert M.to_seed(webapp.bip39_canonical(text)) == base_seed

# Negatives (all "format").
zero12 = ["abandon"] * 12
bad("checksum-12-last-word-swapped", "'abandon' x 12: the last word should be 'about' (checksum)", " ".join(zero12))
w12 = M.to_mnemonic(r.randbytes(16)).split()
alt = next(w for w in M.wordlist if w != w12[-1] and not M.check(" ".join(w12[:-1] + [w])))
bad("checksum-12-random", "random 12-word mnemonic with its last word replaced (checksum fails)",
    " ".join(w12[:-1] + [alt]))
w24 = M.to_mnemonic(r.randbytes(32)).split()
w24[3], w24[4] = w24[4], w24[3]
assert not M.check(" ".join(w24))
bad("checksum-24-words-swapped", "random 24-word mnemonic with words 4 and 5 swapped", " ".join(w24))
w15 = M.to_mnemonic(r.randbytes(20)).split()
alt = next(w for w in M.wordlist if w != w15[-1] and not M.check(" ".join(w15[:-1] + [w])))
bad("checksum-15-last-word", "random 15-word mnemonic with its last word replaced", " ".join(w15[:-1] + [alt]))
w12 = M.to_mnemonic(r.randbytes(16)).split()
bad("unknown-word", "one word ('ethereum') is not in the English list; the error names it",
    " ".join(w12[:5] + ["ethereum"] + w12[6:]), bad_word="ethereum")
assert "ethereum" not in M.wordlist
bad("unknown-word-prefix", "a 4-letter prefix ('aban') is not expanded to 'abandon': only whole words",
    " ".join(["aban"] + zero12[1:11] + ["about"]), bad_word="aban")
bad("unknown-word-first", "the first word mistyped as 'abandom'", " ".join(["abandom"] + zero12[1:11] + ["about"]),
    bad_word="abandom")
bad("unknown-word-last", "the last word is 'zoos'", " ".join(["zoo"] * 11 + ["zoos"]), bad_word="zoos")
bad("unknown-word-french", "a French-list word ('écarter', é composed) among English words; bad_word is "
    "the word after NFKD (e + U+0301)", " ".join(w12[:3] + ["\u00e9carter"] + w12[4:]),
    bad_word="e\u0301carter")
bad("unknown-word-underscore", "'aban_don': an underscore joins, as MetaMask's \\w does",
    " ".join(["aban_don"] + zero12[1:11] + ["about"]), bad_word="aban_don")
bad("11-words", "11 words (the 12-word vector 1 without its last word)", " ".join(zero12[:11]))
bad("13-words", "13 words (vector 1 followed by 'abandon')", " ".join(zero12[:11] + ["about", "abandon"]))
bad("23-words", "23 words", " ".join(M.to_mnemonic(r.randbytes(32)).split()[:23]))
bad("25-words", "25 words", M.to_mnemonic(r.randbytes(32)) + " abandon")
bad("3-words", "3 words", "abandon ability able")
bad("empty", "empty mnemonic", "")
bad("only-whitespace", "only spaces and a newline", "   \n")

for c in cases:
    if c["expect"] == "ok":
        words = webapp.bip39_canonical(c["mnemonic"])
        assert M.check(words), c["id"]
        seed = hashlib.pbkdf2_hmac("sha512", unicodedata.normalize("NFKD", words).encode(),
                                   ("mnemonic" + unicodedata.normalize("NFKD", c["passphrase"])).encode(), 2048)
        assert seed.hex() == c["seed_hex"] == M.to_seed(words, c["passphrase"]).hex(), c["id"]
        if "entropy_hex" in c:
            assert bytes(M.to_entropy(words)).hex() == c["entropy_hex"], c["id"]
    else:
        expect_error("format", webapp.bip39_seed, c["mnemonic"], c["passphrase"])
        assert not M.check(webapp.bip39_canonical(c["mnemonic"])), c["id"]
        try:
            webapp.bip39_entropy(c["mnemonic"])
        except webapp.FormatError as e:
            assert getattr(e, "bad_word", None) == c.get("bad_word"), c["id"]

write(NAME, "BIP-39 English mnemonic -> 64-byte seed (FORMATS.md 8): checksum verified against the English "
      "list; mnemonic and passphrase NFKD; the mnemonic is split on any run of white space after NFKD and "
      "the words joined with single spaces for PBKDF2-HMAC-SHA512 (2048 iterations, salt 'mnemonic' + "
      "passphrase). Includes the 24 published English vectors (passphrase TREZOR).",
      implementation("mnemonic") + "; hashlib.pbkdf2_hmac", cases)
