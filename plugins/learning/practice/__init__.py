"""每日一练 (daily practice): five bank questions a day, streaks."""
