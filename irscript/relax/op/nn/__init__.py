"""The `R.nn` operators, one module per family: `activation` (relu, gelu, gelu_tanh, silu,
softmax, log_softmax), `norm` (layer_norm, rms_norm, group_norm, batch_norm), `conv` (conv1d,
conv2d, conv2d_transpose), `pool` (max_pool2d, avg_pool2d, adaptive_avg_pool2d), `attention`
(attention, and the `attention_bias` script function), `misc` (pad, dropout, and the `linear`
script function). `common` holds their shared helpers.

Importing this package registers the ops; their builders are exported here
(`irscript.relax.op.nn.conv2d(x, w, strides=2)`).
"""

from irscript.relax.op.nn.activation import gelu, gelu_tanh, log_softmax, relu, silu, softmax
from irscript.relax.op.nn.attention import attention, attention_bias
from irscript.relax.op.nn.conv import conv1d, conv2d, conv2d_transpose
from irscript.relax.op.nn.misc import dropout, linear, pad
from irscript.relax.op.nn.norm import batch_norm, group_norm, layer_norm, rms_norm
from irscript.relax.op.nn.pool import adaptive_avg_pool2d, avg_pool2d, max_pool2d

__all__ = [
    "adaptive_avg_pool2d", "attention", "attention_bias", "avg_pool2d", "batch_norm", "conv1d", "conv2d",
    "conv2d_transpose", "dropout", "gelu", "gelu_tanh", "group_norm", "layer_norm", "linear", "log_softmax",
    "max_pool2d", "pad", "relu", "rms_norm", "silu", "softmax",
]
