-- The smart-sending check in pathwise_begin_sending is planned on every call (EXECUTE).
-- A PL/pgSQL statement keeps the generic plan its session first chose: a worker that
-- started while email_message was nearly empty kept a sequential scan as the table grew
-- (2.5 ms per send at 5,000 rows, tens of ms at 100,000), where the (shop, email, sent_at)
-- index answers in about 0.1 ms. A fresh plan follows the table's current size.
CREATE OR REPLACE FUNCTION pathwise_begin_sending(
  p_id TEXT, p_attempts INTEGER, p_shop TEXT, p_email TEXT, p_now TIMESTAMPTZ,
  p_subject TEXT, p_html TEXT, p_text TEXT, p_cutoff TIMESTAMPTZ, p_mailed TEXT[]
) RETURNS TEXT LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  moved INTEGER;
  recently_mailed BOOLEAN := false;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended(p_shop || E'\n' || p_email, 7301));
  IF p_cutoff IS NOT NULL THEN
    EXECUTE 'SELECT EXISTS (SELECT 1 FROM email_message
                             WHERE shop = $1 AND email = $2 AND id <> $3 AND status = ANY ($4)
                               AND COALESCE(sent_at, sending_at) > $5)'
       INTO recently_mailed
      USING p_shop, p_email, p_id, p_mailed, p_cutoff;
  END IF;
  IF recently_mailed THEN
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
