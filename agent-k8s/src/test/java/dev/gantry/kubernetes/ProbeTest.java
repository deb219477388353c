package dev.gantry.kubernetes;

import io.fabric8.kubernetes.api.model.*;
import io.fabric8.kubernetes.api.model.batch.v1.*;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.ByteArrayOutputStream;
import java.util.*;
import org.junit.jupiter.api.Test;

class ProbeTest {
  @Test
  void probe() throws Exception {
    Map<io.fabric8.mockwebserver.ServerRequest, Queue<io.fabric8.mockwebserver.ServerResponse>> responses = new HashMap<>();
    KubernetesMixedDispatcher crud = new KubernetesMixedDispatcher(responses);
    Dispatcher d = new Dispatcher() {
      @Override public MockResponse dispatch(RecordedRequest r) {
        System.out.println("REQ " + r.getMethod() + " " + r.getPath());
        if (r.getPath().contains("/log")) {
          return new MockResponse().setResponseCode(200).setBody("2024-01-01T00:00:00.123456789Z hello\n2024-01-01T00:00:01.1Z world\n");
        }
        return crud.dispatch(r);
      }
    };
    KubernetesMockServer server = new KubernetesMockServer(new Context(io.fabric8.kubernetes.client.utils.Serialization.jsonMapper()), new MockWebServer(), responses, d, false);
    server.init();
    KubernetesClient client = server.createClient();
    var inf = client.batch().v1().jobs().inNamespace("ns").withLabel("dev.gantry/managed", "true").inform(new ResourceEventHandler<Job>() {
      public void onAdd(Job j) { System.out.println("ADD " + j.getMetadata().getName() + " suspend=" + j.getSpec().getSuspend()); }
      public void onUpdate(Job a, Job b) { System.out.println("UPD " + b.getMetadata().getName() + " suspend=" + b.getSpec().getSuspend() + " status=" + b.getStatus()); }
      public void onDelete(Job j, boolean u) { System.out.println("DEL " + j.getMetadata().getName()); }
    });
    Job job = new JobBuilder().withNewMetadata().withName("j1").addToLabels("dev.gantry/managed", "true").endMetadata()
        .withNewSpec().withSuspend(true).withNewTemplate().withNewSpec().addNewContainer().withName("c").withImage("x").endContainer().withRestartPolicy("Never").endSpec().endTemplate().endSpec().build();
    Job created = client.batch().v1().jobs().inNamespace("ns").resource(job).create();
    System.out.println("uid=" + created.getMetadata().getUid() + " rv=" + created.getMetadata().getResourceVersion());
    client.batch().v1().jobs().inNamespace("ns").withName("j1").patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"suspend\":false}}");
    Job s = client.batch().v1().jobs().inNamespace("ns").withName("j1").get();
    s.setStatus(new JobStatusBuilder().addNewCondition().withType("Complete").withStatus("True").endCondition().build());
    client.batch().v1().jobs().inNamespace("ns").resource(s).updateStatus();
    Pod pod = new PodBuilder().withNewMetadata().withName("p1").endMetadata().withNewSpec().addNewContainer().withName("c").withImage("x").endContainer().endSpec().build();
    client.pods().inNamespace("ns").resource(pod).create();
    System.out.println("LOG: " + client.pods().inNamespace("ns").withName("p1").inContainer("c").withReadyWaitTimeout(0).usingTimestamps().sinceTime("2024-01-01T00:00:00Z").getLog());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    var lw = client.pods().inNamespace("ns").withName("p1").inContainer("c").withReadyWaitTimeout(0).usingTimestamps().watchLog(out);
    System.out.println("closed: " + lw.onClose().toCompletableFuture().get());
    System.out.println("watched: " + out);
    System.out.println("version " + client.getKubernetesVersion());
    client.batch().v1().jobs().inNamespace("ns").withName("j1").withPropagationPolicy(DeletionPropagation.FOREGROUND).withGracePeriod(5).delete();
    Thread.sleep(1000);
    inf.close();
    client.close();
    server.destroy();
  }
}
