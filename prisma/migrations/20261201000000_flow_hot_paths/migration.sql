-- Flow steps check "did this person order since they abandoned?" by email too.
CREATE INDEX "order_shop_email_idx" ON "order"("shop", "email");

-- The last check before a marketing email goes to SendGrid, in one round trip:
-- take the per-recipient lock, re-check smart sending, move claimed -> sending.
-- PL/pgSQL takes a fresh snapshot for each statement (READ COMMITTED), so the
-- check after the lock sees a send that another worker committed while we waited;
-- the transaction-scoped lock is held until the caller's statement commits.
CREATE FUNCTION pathwise_begin_sending(
  p_id TEXT, p_attempts INTEGER, p_shop TEXT, p_email TEXT, p_now TIMESTAMPTZ,
  p_subject TEXT, p_html TEXT, p_text TEXT, p_cutoff TIMESTAMPTZ, p_mailed TEXT[]
) RETURNS TEXT LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  moved INTEGER;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended(p_shop || E'\n' || p_email, 7301));
  IF p_cutoff IS NOT NULL AND EXISTS (
    SELECT 1 FROM email_message
     WHERE shop = p_shop AND email = p_email AND id <> p_id AND status = ANY (p_mailed)
       AND COALESCE(sent_at, sending_at) > p_cutoff
  ) THEN
    UPDATE email_message SET status = 'skipped', skip_reason = 'smart_sending', updated_at = now()
     WHERE id = p_id AND attempts = p_attempts AND status = 'claimed';
    GET DIAGNOSTICS moved = ROW_COUNT;
    RETURN CASE WHEN moved > 0 THEN 'smart_sending' ELSE 'lost' END;
  END IF;
  UPDATE email_message SET status = 'sending', sending_at = p_now, subject = p_subject, html = p_html, text = p_text,
         error = NULL, updated_at = now()
   WHERE id = p_id AND attempts = p_attempts AND status = 'claimed';
  GET DIAGNOSTICS moved = ROW_COUNT;
  RETURN CASE WHEN moved > 0 THEN 'sending' ELSE 'lost' END;
END
$$;
