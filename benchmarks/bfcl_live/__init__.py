"""BFCL live: real BFCL questions through ChatGemma on the embedded 270M, naive vs ours."""
