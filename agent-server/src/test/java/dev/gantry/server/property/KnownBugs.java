package dev.gantry.server.property;

import java.util.List;
import java.util.function.Predicate;

/**
 * Server bugs this property found that are not mended yet (server main code is another owner's).
 * Each is excluded with a jqwik assumption so the rest still runs; delete an entry once its bug is
 * fixed and the property covers it again.
 */
enum KnownBugs {
  /**
   * A JSON body is read whatever its Content-Type (none, text/plain, application/xml, form,
   * multipart): {@code POST /api/v1/runs} creates runs and {@code PUT /api/v1/secrets/{name}}
   * stores the value. Expected: 415 naming application/json (Bodies.read).
   */
  BODY_READ_WHATEVER_THE_CONTENT_TYPE(
      r -> r.defects().stream().anyMatch(d -> d.startsWith("content type"))),

  /**
   * A NUL byte in the path ({@code %00}) is refused by Jetty before Javalin sees it: a 400 whose
   * body is Jetty's HTML page, not a problem detail (and so not audited). Expected: a problem
   * detail, e.g. by mapping Jetty's bad-URI errors in GantryServer's error handler.
   */
  NUL_IN_PATH_IS_AN_HTML_400(r -> r.path().contains("%00")),

  /**
   * On PostgreSQL, a NUL character (U+0000) in text the server passes to a query reaches the
   * database, which refuses it ("invalid byte sequence for encoding UTF8: 0x00"), and the answer is
   * a 500: in a body string (the flow of {@code POST /api/v1/runs}: JdbcFlowStore.latest line 129;
   * one of its labels: LabelSets.idOf via RunCreation) or in the run list's {@code flow}, {@code
   * label} or {@code agent} filter ({@code GET /api/v1/runs?label=%00}: JdbcRunSearch.search).
   * Expected: 400 naming the field or parameter (refuse NUL in Bodies.read and RunQueries, or in
   * the stores).
   */
  NUL_IN_TEXT_IS_500_ON_POSTGRESQL(
      r ->
          r.bodyText().contains("\\u0000")
              || java.util.regex.Pattern.compile("(^|&)(flow|label|agent)=[^&]*%00")
                  .matcher(r.query())
                  .find()),

  /**
   * {@code POST /api/v1/runs} does not check its extra labels: blank ones ({@code [""]}, {@code ["
   * "]}) are stored; {@code [null]} is a 500 (NullPointerException in NewRun's Set.copyOf, line
   * 15); one longer than the column's 255 characters is a 500 on PostgreSQL (value too long, from
   * LabelSets.idOf via RunCreation). Expected: 400 unless each label is a valid name, as flow
   * labels are.
   */
  RUN_LABELS_NOT_CHECKED(
      r ->
          r.route().path().equals("/api/v1/runs")
              && r.defects().contains("field labels bad value")),

  /**
   * {@code POST /api/v1/runs} with a parameter whose value is null ({@code "parameters": {"rows":
   * null}}) creates the run as if the parameter were not given. Expected: 400, the value must be
   * text (RunParameters.validate, or Bodies.read refusing nulls in the map).
   */
  NULL_PARAMETER_VALUE_TAKEN(r -> r.bodyText().contains("{\"rows\":null}"));

  private final Predicate<HostileRequest> hits;

  KnownBugs(Predicate<HostileRequest> hits) {
    this.hits = hits;
  }

  static List<KnownBugs> hitBy(HostileRequest request) {
    return java.util.Arrays.stream(values()).filter(b -> b.hits.test(request)).toList();
  }
}
