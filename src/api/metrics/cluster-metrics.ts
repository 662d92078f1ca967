/**
 * The cluster's metrics (design §11, §14), rendered at each scrape from the daemon's member:
 * `svcmgr_cluster_service_owned{svc}` (1 on the owner, 0 on the other candidates: summed over
 * the nodes it is 1 per service, 0 while no node owns it) and
 * `svcmgr_cluster_keepalive_failures_total` (lease renewals that failed since the daemon started).
 */
import { labelPairs, renderFamilies, sampleLine } from "./exposition.js";

export interface ClusterMetricsView {
  /** The failover services this node is a candidate for, and whether it owns each now. */
  readonly services: readonly { readonly svc: string; readonly owned: boolean }[];
  readonly keepaliveFailures: number;
}

export function renderClusterMetrics(view: ClusterMetricsView, covers: (svc: string) => boolean): string {
  let owned = "";
  for (const s of [...view.services].sort((a, b) => (a.svc < b.svc ? -1 : a.svc > b.svc ? 1 : 0))) {
    if (covers(s.svc)) owned += sampleLine("svcmgr_cluster_service_owned", labelPairs({ svc: s.svc }), s.owned ? 1 : 0);
  }
  return renderFamilies([
    { name: "svcmgr_cluster_service_owned", help: "1 when this node owns the failover service (and vouches for its etcd lease), 0 on its other candidate nodes.", type: "gauge", lines: owned },
    { name: "svcmgr_cluster_keepalive_failures_total", help: "Renewals of this node's etcd lease that failed (etcd did not answer, or the lease had expired) since the daemon started.", type: "counter", lines: sampleLine("svcmgr_cluster_keepalive_failures_total", "", view.keepaliveFailures) },
  ]);
}
