/**
 * The local gateway stands where CloudFront stands in AWS: it adds to every API request what the
 * template's distribution adds to the requests it sends its custom origins (the origin secret
 * header, resolved by the one resolver: the same value the API function's environment resolves
 * to), and the viewer's address as `CloudFront-Viewer-Address`. So the API function runs locally
 * with its origin check on, as deployed. A template without a distribution adds nothing (and its
 * API function has no secret: nothing is checked).
 */
import { localNames, LOCAL_STACK_NAME, resolve, resourcesOfType, type CfnTemplate } from './template.ts';

interface CfnOrigin {
  CustomOriginConfig?: unknown;
  OriginCustomHeaders?: { HeaderName: unknown; HeaderValue: unknown }[];
}

/** The headers the template's distributions add to requests for their custom (non-S3) origins, lower-cased names. */
export function originHeadersFromTemplate(template: CfnTemplate, stackName: string = LOCAL_STACK_NAME): Record<string, string> {
  const names = localNames(template, stackName);
  const headers: Record<string, string> = {};
  for (const [, props] of resourcesOfType(template, 'AWS::CloudFront::Distribution')) {
    const origins = ((props.DistributionConfig as { Origins?: CfnOrigin[] } | undefined)?.Origins ?? []).filter((o) => o.CustomOriginConfig);
    for (const origin of origins) {
      for (const h of origin.OriginCustomHeaders ?? []) headers[String(h.HeaderName).toLowerCase()] = String(resolve(h.HeaderValue, names));
    }
  }
  return headers;
}

/** `CloudFront-Viewer-Address` as CloudFront writes it: the address, a colon, the port. */
export function viewerAddressHeader(address: string, port: number | undefined): string {
  return `${address}:${port ?? 0}`;
}
