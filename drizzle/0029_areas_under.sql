-- The areas under any of `paths`, each path's own area included: where a street's or a community's lists read their
-- cases area by area (cases/list.ts armPage, counts.ts overdueCountParts). A function with a declared row count, so
-- PostgreSQL estimates the statement alike with and without its parameters' values and keeps the plan it made once
-- (queryNamed): with the areas read by a range, it guessed 1 area with the values and 24 without, so it planned the
-- overdue filter anew on each request. 40 is about a street's areas (its communities and grids).
CREATE OR REPLACE FUNCTION linli_areas_under(paths text[]) RETURNS SETOF text
  LANGUAGE plpgsql STABLE ROWS 40 AS $$
BEGIN
  -- The byte range of the paths starting with p (text_pattern_ops, as fragments.ts startsWith writes it): paths are
  -- digits, so the last character raised by one ends the range.
  RETURN QUERY SELECT a.path FROM unnest(paths) p, areas a
    WHERE p <> '' AND a.path ~>=~ p AND a.path ~<~ (left(p, -1) || chr(ascii(right(p, 1)) + 1));
END
$$;
