package dev.gantry.backend;

import dev.gantry.flows.NewFlowVersion;
import dev.gantry.flows.RegisteredFlow;
import java.util.List;
import java.util.Optional;

/** Registered flows, versioned per name: each registration of a name adds version n+1. */
public interface FlowStore {

  /** Records a new version of the named flow and returns it. */
  RegisteredFlow register(NewFlowVersion flow);

  /** The newest version of the named flow. */
  Optional<RegisteredFlow> latest(String name);

  Optional<RegisteredFlow> find(long flowId);

  /** The newest version of every flow, ordered by name. */
  List<RegisteredFlow> listLatest();
}
