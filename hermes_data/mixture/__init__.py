"""Category mixtures: choose how often each curated row appears so the mix matches the recipe's shares."""
