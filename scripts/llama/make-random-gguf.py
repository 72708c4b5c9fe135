"""Write a random-weight llama-architecture GGUF of a real model's shape, for
speed measurements (weights' values do not change speed), with gguf-py from
the llama.cpp source and numpy. The tokenizer is copied from a vocab-only GGUF
(models/ggml-vocab-llama-bpe.gguf of the llama.cpp source: Llama 3's).

  python3 scripts/llama/make-random-gguf.py --gguf-py SRC/gguf-py --vocab VOCAB.gguf --out model-F16.gguf
      [--embd 2048 --layers 16 --heads 32 --heads-kv 8 --ff 8192 --ctx 131072]   (Llama-3.2-1B's shape)

scripts/llama/make-tiny-gguf.ts writes the tiny CPU test models; this one is
for sizes of billions of parameters, where numpy is much faster than our
TypeScript writer. Quantize the F16 file with llama-quantize.
"""
import argparse
import sys

import numpy as np

p = argparse.ArgumentParser()
p.add_argument("--gguf-py", required=True)
p.add_argument("--vocab", required=True)
p.add_argument("--out", required=True)
p.add_argument("--embd", type=int, default=2048)
p.add_argument("--layers", type=int, default=16)
p.add_argument("--heads", type=int, default=32)
p.add_argument("--heads-kv", type=int, default=8)
p.add_argument("--ff", type=int, default=8192)
p.add_argument("--ctx", type=int, default=131072)
p.add_argument("--seed", type=int, default=42)
p.add_argument("--name", default="benchbook-random-1.5B")
a = p.parse_args()
sys.path.insert(0, a.gguf_py)
import gguf  # noqa: E402

reader = gguf.GGUFReader(a.vocab)
writer = gguf.GGUFWriter(a.out, "llama")
writer.add_name(a.name)
writer.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
head_dim = a.embd // a.heads
writer.add_context_length(a.ctx)
writer.add_embedding_length(a.embd)
writer.add_block_count(a.layers)
writer.add_feed_forward_length(a.ff)
writer.add_head_count(a.heads)
writer.add_head_count_kv(a.heads_kv)
writer.add_rope_dimension_count(head_dim)
writer.add_rope_freq_base(500000.0)
writer.add_layer_norm_rms_eps(1e-5)
n_vocab = 0
for field in reader.fields.values():
    if not field.name.startswith("tokenizer."):
        continue
    vtype = field.types[0]
    sub = field.types[-1] if vtype == gguf.GGUFValueType.ARRAY else None
    value = field.contents()
    if field.name == "tokenizer.ggml.tokens":
        n_vocab = len(value)
    writer.add_key_value(field.name, value, vtype, sub_type=sub)
writer.add_vocab_size(n_vocab)

rng = np.random.default_rng(a.seed)


def weight(name, rows, cols):
    # numpy shape (rows, cols) is ggml's [cols, rows]; std 0.02 as the usual init
    writer.add_tensor(name, (rng.standard_normal((rows, cols), dtype=np.float32) * 0.02).astype(np.float16))


def norm(name, n):
    writer.add_tensor(name, np.ones(n, dtype=np.float32))


kv_dim = head_dim * a.heads_kv
weight("token_embd.weight", n_vocab, a.embd)
for i in range(a.layers):
    norm(f"blk.{i}.attn_norm.weight", a.embd)
    weight(f"blk.{i}.attn_q.weight", a.embd, a.embd)
    weight(f"blk.{i}.attn_k.weight", kv_dim, a.embd)
    weight(f"blk.{i}.attn_v.weight", kv_dim, a.embd)
    weight(f"blk.{i}.attn_output.weight", a.embd, a.embd)
    norm(f"blk.{i}.ffn_norm.weight", a.embd)
    weight(f"blk.{i}.ffn_gate.weight", a.ff, a.embd)
    weight(f"blk.{i}.ffn_up.weight", a.ff, a.embd)
    weight(f"blk.{i}.ffn_down.weight", a.embd, a.ff)
norm("output_norm.weight", a.embd)
weight("output.weight", n_vocab, a.embd)

writer.write_header_to_file()
writer.write_kv_data_to_file()
writer.write_tensors_to_file()
writer.close()
print(f"wrote {a.out}: n_vocab={n_vocab} embd={a.embd} layers={a.layers} heads={a.heads}/{a.heads_kv} ff={a.ff}", file=sys.stderr)
