/**
 * Zod fields for every value that reaches kubectl. A Kubernetes object name is a DNS-1123
 * subdomain (pods, Deployments) or label (namespaces, containers); a label selector uses only
 * the characters of label keys/values and its operators. None of them can start with `-`, so
 * no input can ever be read by kubectl as a flag (`--server=…`, `--kubeconfig=…`, `-v=9`).
 * kubectl also gets every value as `--flag=value` and names after `--` (sources/kubectl.ts).
 * Source: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
 */
import { z } from 'zod';

const DNS1123_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
/** `k=v`, `k!=v`, `k==v`, `k`, `!k`, `k in (a,b)`, `k notin (a,b)`, comma-joined; keys may carry a `prefix/`. */
const SELECTOR = /^(?=.{1,1024}$)[A-Za-z0-9!][A-Za-z0-9._/=!,() -]*$/;
/** A kubeconfig context name: anything printable, but never a leading `-`. */
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const CONTEXT = /^(?=.{1,253}$)[^\s\-\x00-\x1f][^\x00-\x1f]*$/;

/** A pod or Deployment name (DNS-1123 subdomain). */
export const k8sName = (what: string) =>
  z.string().regex(DNS1123_SUBDOMAIN, { message: `${what} must be a Kubernetes name (DNS-1123: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters).` });

/** A namespace or container name (DNS-1123 label). */
export const k8sLabel = (what: string) =>
  z.string().regex(DNS1123_LABEL, { message: `${what} must be a Kubernetes DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters).` });

/** A label selector (`app.kubernetes.io/component=oidc-proxy`). */
export const k8sSelector = () =>
  z.string().regex(SELECTOR, { message: "selector must be a Kubernetes label selector (e.g. app.kubernetes.io/component=oidc-proxy); it cannot start with '-'." });

/** A kubeconfig context name (not a Kubernetes object: any printable text that does not start with '-'). */
export const kubeContext = () =>
  z.string().regex(CONTEXT, { message: "context must be a kubeconfig context name; it cannot start with '-' or contain control characters." });

/** A kubeconfig path: it never starts with '-' (kubectl also gets it as --kubeconfig=<path>). */
export const kubeconfigPath = () =>
  // eslint-disable-next-line no-control-regex -- a NUL byte is never part of a path
  z.string().min(1).regex(/^[^-\x00][^\x00]*$/, { message: "kubeconfig must be a file path; it cannot start with '-'." });
