-- The last check before the HTTP call, for a whole batch in one statement instead of one
-- PL/pgSQL call per message: per call, planning the smart-sending check cost several
-- times what the check itself did (0.46 ms per message in bench:flows, of which the
-- check and the update were about 0.1 ms).
--
-- The rows arrive sorted by (shop, email), so the per-recipient advisory locks are always
-- taken in the same order and two batches never deadlock. The check runs after the locks
-- (a new statement, a new snapshot), so it sees every send another batch committed for
-- the same person. Within the batch, a person's second message is skipped by smart
-- sending when an earlier one of the batch could move to sending.
-- Per input row: 'sending', 'smart_sending' (skipped instead) or 'lost' (the row is no
-- longer claimed by this attempt: another claim took it over).
CREATE FUNCTION pathwise_begin_sending_batch(
  p_ids TEXT[], p_attempts INTEGER[], p_shops TEXT[], p_emails TEXT[], p_now TIMESTAMPTZ[],
  p_subjects TEXT[], p_html TEXT[], p_text TEXT[], p_cutoffs TIMESTAMPTZ[], p_mailed TEXT[]
) RETURNS TABLE (n INTEGER, outcome TEXT) LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended(u.shop || E'\n' || u.email, 7301))
     FROM unnest(p_shops, p_emails) AS u(shop, email);
  -- EXECUTE: planned for this batch's values, never a generic plan kept from when the table was small.
  RETURN QUERY EXECUTE $q$
    WITH input AS (
      SELECT * FROM unnest($1, $2, $3, $4, $5, $6, $7, $8, $9) WITH ORDINALITY
        AS t(id, attempts, shop, email, at, subject, html, body_text, cutoff, n)
    ), claimable AS (
      SELECT i.*, (m.status = 'claimed' AND m.attempts = i.attempts) AS ok
        FROM input i JOIN email_message m ON m.id = i.id
    ), decided AS (
      SELECT c.*,
             c.cutoff IS NOT NULL AND (
               COALESCE(bool_or(c.ok) OVER (PARTITION BY c.shop, c.email ORDER BY c.n ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), false)
               OR EXISTS (SELECT 1 FROM email_message m
                           WHERE m.shop = c.shop AND m.email = c.email AND m.id <> c.id AND m.status = ANY ($10)
                             AND COALESCE(m.sent_at, m.sending_at) > c.cutoff)) AS recent
        FROM claimable c WHERE c.ok
    ), skipped AS (
      UPDATE email_message m SET status = 'skipped', skip_reason = 'smart_sending', updated_at = now()
        FROM decided d
       WHERE d.recent AND m.id = d.id AND m.attempts = d.attempts AND m.status = 'claimed'
      RETURNING d.n
    ), sending AS (
      UPDATE email_message m SET status = 'sending', sending_at = d.at, subject = d.subject, html = d.html, text = d.body_text,
             error = NULL, updated_at = now()
        FROM decided d
       WHERE NOT d.recent AND m.id = d.id AND m.attempts = d.attempts AND m.status = 'claimed'
      RETURNING d.n
    )
    SELECT i.n::int,
           CASE WHEN i.n IN (SELECT s.n FROM sending s) THEN 'sending'
                WHEN i.n IN (SELECT s.n FROM skipped s) THEN 'smart_sending'
                ELSE 'lost' END
      FROM input i ORDER BY i.n
  $q$ USING p_ids, p_attempts, p_shops, p_emails, p_now, p_subjects, p_html, p_text, p_cutoffs, p_mailed;
END
$$;

DROP FUNCTION pathwise_begin_sending(TEXT, INTEGER, TEXT, TEXT, TIMESTAMPTZ, TEXT, TEXT, TEXT, TIMESTAMPTZ, TEXT[]);
