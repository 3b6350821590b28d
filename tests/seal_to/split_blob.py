#!/usr/bin/env python3
"""split_blob.py BLOB DIR: a seal-to blob (docs/seal-to.md) into the TPM
encodings tpm2_import reads: DIR/pub (TPM2B_PUBLIC), DIR/dup
(TPM2B_PRIVATE), DIR/seed (TPM2B_ENCRYPTED_SECRET); for an envelope also
DIR/aad (every byte before the nonce), DIR/nonce, DIR/ct, DIR/tag."""
import struct
import sys

b = open(sys.argv[1], 'rb').read()
d = sys.argv[2]
o = 7 + b[6] + 8   # magic, kind, name, version


def t2b():
    global o
    n = struct.unpack('>H', b[o:o + 2])[0]
    v = b[o:o + 2 + n]
    o += 2 + n
    return v


t2b()  # the SRK's name
for f in ('pub', 'dup', 'seed'):
    open(d + '/' + f, 'wb').write(t2b())
if b[5] == 2:
    open(d + '/aad', 'wb').write(b[:o])
    open(d + '/nonce', 'wb').write(b[o:o + 12])
    c = struct.unpack('>I', b[o + 12:o + 16])[0]
    open(d + '/ct', 'wb').write(b[o + 16:o + 16 + c])
    open(d + '/tag', 'wb').write(b[o + 16 + c:])
