import { readdirSync } from 'node:fs';
import { join } from 'node:path';

import { loadConfig } from '@lgsp/config';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';

import { CONFIG_VARIABLES, DOCKER_DIR, readText, readYaml, readYamlDocuments } from './lib/deploy-files.util';
import { APP_TARGETS } from './lib/dockerfile-check.util';
import { imageEnv, parseDockerfile } from './lib/dockerfile.util';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed manifests, checked field by field
type Manifest = any;

/** The typed models (kubernetes-models: the API's OpenAPI schemas) of the kinds the base uses. */
const MODELS: Readonly<Record<string, new (data: Manifest) => { validate(): void }>> = {
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/Secret': Secret,
  'v1/Service': Service,
};

function validateManifest(manifest: Manifest): void {
  const Model = MODELS[`${manifest.apiVersion}/${manifest.kind}`];
  if (Model === undefined) throw new Error(`${manifest.apiVersion} ${manifest.kind} is not a kind this base uses`);
  new Model(manifest).validate();
}

describe('docker/k8s (Kustomize base)', () => {
  const kustomization = readYaml<Manifest>('docker/k8s/kustomization.yaml');
  const manifests: Manifest[] = (kustomization.resources as string[]).flatMap((file) => readYamlDocuments(`docker/k8s/${file}`));
  const ofKind = (kind: string): Manifest[] => manifests.filter((m) => m.kind === kind);
  const deployments = ofKind('Deployment');

  it('lists every manifest of the directory, and only files that exist', () => {
    const files = readdirSync(join(DOCKER_DIR, 'k8s')).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
    expect([...kustomization.resources].sort()).toEqual(files.sort());
    expect(kustomization.apiVersion).toBe('kustomize.config.k8s.io/v1beta1');
    for (const image of kustomization.images as Manifest[]) expect(deployments.some((d) => d.spec.template.spec.containers[0].image.startsWith(`${image.name}:`))).toBe(true);
  });

  it('validates every resource against the Kubernetes API schemas', () => {
    expect(manifests.length).toBeGreaterThan(10);
    for (const manifest of manifests) expect(() => validateManifest(manifest)).not.toThrow();
  });

  it('refuses a broken resource: a wrong type, a missing required field, an unknown kind', () => {
    const deployment = structuredClone(deployments[0]);
    deployment.spec.template.spec.containers[0].ports[0].containerPort = 'eighty';
    expect(() => validateManifest(deployment)).toThrow(/containerPort/);
    const hpa = structuredClone(ofKind('HorizontalPodAutoscaler')[0]);
    delete hpa.spec.scaleTargetRef;
    expect(() => validateManifest(hpa)).toThrow(/scaleTargetRef/);
    expect(() => validateManifest({ ...deployment, apiVersion: 'extensions/v1beta1' })).toThrow(/not a kind/);
  });

  it('runs every app with probes, requests and limits, as non-root on a read-only root with an emptyDir data dir', () => {
    expect(new Set(deployments.map((d) => d.spec.template.spec.containers[0].image.split(':')[0]))).toEqual(new Set(Object.keys(APP_TARGETS).map((t) => `lgsp/${t}`)));
    for (const deployment of deployments) {
      const pod = deployment.spec.template.spec;
      const [container] = pod.containers;
      const name = deployment.metadata.name;
      expect([name, pod.securityContext.runAsNonRoot, container.securityContext.readOnlyRootFilesystem, container.securityContext.allowPrivilegeEscalation]).toEqual([name, true, true, false]);
      for (const probe of ['readinessProbe', 'livenessProbe']) expect([name, probe, container[probe]?.httpGet?.path]).toEqual([name, probe, expect.stringMatching(/^\/(health\/(ready|live)|metrics)$/)]);
      for (const bound of ['requests', 'limits']) expect([name, Object.keys(container.resources[bound]).sort()]).toEqual([name, ['cpu', 'memory']]);
      const dataMount = container.volumeMounts.find((m: Manifest) => m.mountPath === '/var/lib/lgsp');
      expect([name, pod.volumes.find((v: Manifest) => v.name === dataMount?.name)?.emptyDir]).toEqual([name, expect.any(Object)]);
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(15);
    }
    const readiness = (name: string) => deployments.find((d) => d.metadata.name === name).spec.template.spec.containers[0].readinessProbe.httpGet.path;
    expect([readiness('lgsp-gateway'), readiness('lgsp-iam'), readiness('lgsp-ledger')]).toEqual(['/health/ready', '/health/ready', '/health/ready']);
  });

  it('scales the gateway with an autoscaling/v2 HPA and keeps one up through disruptions', () => {
    const gateway = deployments.find((d) => d.metadata.name === 'lgsp-gateway');
    const [hpa] = ofKind('HorizontalPodAutoscaler');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'lgsp-gateway' });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(gateway.spec.replicas).toBeUndefined();
    const [pdb] = ofKind('PodDisruptionBudget');
    expect(gateway.spec.template.metadata.labels).toMatchObject(pdb.spec.selector.matchLabels);
    for (const service of ofKind('Service')) {
      const target = deployments.find((d) => Object.entries(service.spec.selector).every(([k, v]) => d.spec.template.metadata.labels[k] === v));
      expect([service.metadata.name, target?.spec.template.spec.containers[0].ports.map((p: Manifest) => p.name)]).toEqual([service.metadata.name, expect.arrayContaining([service.spec.ports[0].targetPort])]);
    }
  });

  it('configures only variables LGSP knows, and a configuration each app accepts (secrets are placeholders)', () => {
    const [config] = ofKind('ConfigMap');
    const secrets = ofKind('Secret');
    const shared = secrets.find((s) => s.metadata.name === 'lgsp-secrets');
    for (const variable of [...Object.keys(config.data), ...Object.keys(shared.stringData)]) expect([variable, CONFIG_VARIABLES.has(variable)]).toEqual([variable, true]);
    for (const secret of secrets) for (const value of Object.values(secret.stringData) as string[]) expect(value).toMatch(/change-me|^(redis|http):\/\/[a-z]+:\d+$/);
    const { stages } = parseDockerfile(readText('docker/Dockerfile'));
    for (const deployment of deployments) {
      const [container] = deployment.spec.template.spec.containers;
      const target = container.image.split(':')[0].replace('lgsp/', '');
      const env: Record<string, string> = { ...imageEnv(stages, stages.find((s) => s.name === target)!) };
      for (const source of (container.envFrom ?? []) as Manifest[]) {
        const ref = source.configMapRef ?? source.secretRef;
        const resource = manifests.find((m) => m.metadata.name === ref.name && m.kind === (source.configMapRef ? 'ConfigMap' : 'Secret'));
        expect([deployment.metadata.name, ref.name, resource !== undefined]).toEqual([deployment.metadata.name, ref.name, true]);
        Object.assign(env, resource.data ?? resource.stringData);
      }
      for (const { name, value } of container.env as Manifest[]) {
        expect([name, CONFIG_VARIABLES.has(name)]).toEqual([name, true]);
        env[name] = value;
      }
      expect(() => loadConfig(env, '/app')).not.toThrow();
    }
  });
});
