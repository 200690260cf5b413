-- A stored webhook body as jsonb, or NULL when PostgreSQL cannot read it as JSON. Shopify's
-- library parses bodies with JavaScript's JSON.parse, which accepts a few escapes jsonb refuses
-- (a lone surrogate such as \ud800, \u0000): customers/redact's scrub reads every body of the
-- shop with this, so one such body is matched as text instead of failing the whole redaction.
CREATE OR REPLACE FUNCTION pathwise_try_jsonb(body text) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  RETURN body::jsonb;
EXCEPTION WHEN others THEN
  RETURN NULL;
END;
$$;
