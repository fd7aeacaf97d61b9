"""Live prize quiz (有奖知识问答): a sub-product of competitions."""
