"""PyTorch datasets over the stores (optional extra ``[ml]``)."""
