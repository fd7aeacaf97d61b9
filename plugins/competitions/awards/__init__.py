"""Awards (评比): a sub-product of competitions."""
