-- The review queue filtered by channel, highest score first, without
-- walking every post of the other channels (serve_bench: a channel with no
-- flagged post cost a scan of the whole score index).
CREATE INDEX posts_by_channel_score ON posts (channel_id, score DESC, id);
