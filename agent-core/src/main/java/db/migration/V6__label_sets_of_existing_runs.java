package db.migration;

import dev.gantry.backend.jdbc.LabelSets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Points every run created before V5 at its label set (recording the sets as it meets them), then
 * makes {@code flow_runs.label_set_id} NOT NULL. Java, because the canonical key of a label set is
 * computed the same way as at run creation ({@link LabelSets#key}), on H2 and PostgreSQL alike.
 */
public class V6__label_sets_of_existing_runs extends BaseJavaMigration {

  private static final int BATCH = 1_000;

  @Override
  public void migrate(Context context) throws Exception {
    Connection c = context.getConnection();
    Map<String, Long> setIds = new HashMap<>();
    try (Statement runs = c.createStatement();
        PreparedStatement point =
            c.prepareStatement("UPDATE flow_runs SET label_set_id = ? WHERE id = ?")) {
      runs.setFetchSize(BATCH);
      int pending = 0;
      try (ResultSet row =
          runs.executeQuery(
              "SELECT r.id, l.label FROM flow_runs r LEFT JOIN run_labels l ON l.run_id = r.id"
                  + " ORDER BY r.id")) {
        String runId = null;
        Set<String> labels = new TreeSet<>();
        boolean more = row.next();
        while (more) {
          runId = row.getString("id");
          labels.clear();
          do {
            String label = row.getString("label");
            if (label != null) {
              labels.add(label);
            }
            more = row.next();
          } while (more && runId.equals(row.getString("id")));
          Set<String> set = Set.copyOf(labels);
          Long setId = setIds.get(LabelSets.key(set));
          if (setId == null) {
            setId = LabelSets.idOf(c, set);
            setIds.put(LabelSets.key(set), setId);
          }
          point.setLong(1, setId);
          point.setString(2, runId);
          point.addBatch();
          if (++pending == BATCH) {
            point.executeBatch();
            pending = 0;
          }
        }
      }
      if (pending > 0) {
        point.executeBatch();
      }
    }
    try (Statement notNull = c.createStatement()) {
      notNull.execute("ALTER TABLE flow_runs ALTER COLUMN label_set_id SET NOT NULL");
    }
  }
}
