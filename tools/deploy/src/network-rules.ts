import { at, ofKind, type RenderedObject } from './rendered-overlay.js';

interface LabelSelector {
  readonly matchLabels?: Record<string, string>;
  readonly matchExpressions?: readonly { key: string; operator: string; values?: readonly string[] }[];
}

interface Peer {
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly ipBlock?: unknown;
}

interface Rule {
  readonly from?: readonly Peer[];
  readonly to?: readonly Peer[];
  readonly ports?: readonly { port?: number | string }[];
}

/** Whether a selector picks pods with these labels (`In` and `Exists` are the operators used here). */
export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  const byExpressions = (selector.matchExpressions ?? []).every((expression) => {
    const value = labels[expression.key];
    if (expression.operator === 'Exists') return value !== undefined;
    if (expression.operator === 'In') return value !== undefined && (expression.values ?? []).includes(value);
    return false;
  });
  return byLabels && byExpressions;
}

/** The NetworkPolicies that apply to pods with these labels. */
export function policiesFor(objects: readonly RenderedObject[], podLabels: Record<string, string>) {
  return ofKind(objects, 'NetworkPolicy').filter((policy) =>
    selectorMatches(at<LabelSelector>(policy, 'spec.podSelector') ?? {}, podLabels),
  );
}

export function ingressRulesFor(
  objects: readonly RenderedObject[],
  podLabels: Record<string, string>,
): Rule[] {
  return policiesFor(objects, podLabels).flatMap((policy) => at<Rule[]>(policy, 'spec.ingress') ?? []);
}

export function egressRulesFor(
  objects: readonly RenderedObject[],
  podLabels: Record<string, string>,
): Rule[] {
  return policiesFor(objects, podLabels).flatMap((policy) => at<Rule[]>(policy, 'spec.egress') ?? []);
}

/** Whether some policy applying to the pods restricts this direction at all (else everything is allowed). */
export function isRestricted(
  objects: readonly RenderedObject[],
  podLabels: Record<string, string>,
  direction: 'Ingress' | 'Egress',
): boolean {
  return policiesFor(objects, podLabels).some((policy) =>
    (at<string[]>(policy, 'spec.policyTypes') ?? []).includes(direction),
  );
}

/** A readable name for each peer a set of rules lets in on a port, e.g. `pods component=gateway`. */
export function peersAllowedOn(rules: readonly Rule[], port: number): string[] {
  return rules
    .filter((rule) => !rule.ports || rule.ports.some((each) => each.port === port || each.port === 'http'))
    .flatMap((rule) => (rule.from ? rule.from.map(describePeer) : ['anyone']));
}

function describeSelector(selector: LabelSelector | undefined): string {
  return Object.entries(selector?.matchLabels ?? {})
    .map(([key, value]) => `${key.replace('app.kubernetes.io/', '')}=${value}`)
    .sort()
    .join(',');
}

function describePeer(peer: Peer): string {
  if (peer.ipBlock) return 'addresses';
  const parts = [];
  if (peer.namespaceSelector) parts.push(`namespace ${describeSelector(peer.namespaceSelector) || '*'}`);
  if (peer.podSelector) parts.push(`pods ${describeSelector(peer.podSelector) || '*'}`);
  return parts.join(' ');
}

/** Whether the egress rules let the pods reach pods with these labels on a port. */
export function egressReaches(rules: readonly Rule[], target: Record<string, string>, port: number): boolean {
  return rules.some(
    (rule) =>
      (!rule.ports || rule.ports.some((each) => each.port === port)) &&
      (!rule.to || rule.to.some((peer) => peer.podSelector && selectorMatches(peer.podSelector, target))),
  );
}

/** Whether the ingress rules admit pods with these labels (from this namespace) on a port. */
export function ingressAdmitsPods(
  rules: readonly Rule[],
  podLabels: Record<string, string>,
  port: number,
): boolean {
  return rules.some(
    (rule) =>
      (!rule.ports || rule.ports.some((each) => each.port === port)) &&
      (!rule.from ||
        rule.from.some(
          (peer) =>
            !peer.namespaceSelector && peer.podSelector && selectorMatches(peer.podSelector, podLabels),
        )),
  );
}
