/** The HTTP API: JWT-authorized /v1 routes and two public ones, all served by one Lambda function. */
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { GuestFunction } from './functions.ts';
import type { Lifecycle } from './lifecycle.ts';
import type { Mail } from './mail.ts';
import { acknowledge } from './nag.ts';
import type { O2Lifecycle } from './o2-lifecycle.ts';
import type { ConfigKey } from '../shared/config.ts';
import { DEFAULT_THROTTLE, ROUTES, routeKey, scopesFor } from '../shared/http/routes.ts';
import type { GuestsTableAction, O2TableAction, Storage } from './storage.ts';

/** The API function's item actions on the guests table. */
export const API_GUESTS_ACTIONS: readonly GuestsTableAction[] = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'];

/**
 * The API function's item actions on the O2 table (shared/o2/app/o2.ts): labs, O2 accounts, their
 * audit events, uid numbers and user claims (GetItem, conditional PutItem), a record's history
 * (Query on its partition). The lists go through the indexes (API_O2_INDEXES).
 */
export const API_O2_ACTIONS: readonly O2TableAction[] = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'];
/** The O2 table's indexes the API lists from: a PI's labs and sponsored accounts, a user's, the RC Core's queues, a lab's accounts, labs by the words of their names. */
export const API_O2_INDEXES = ['byPi', 'byUser', 'byQueue', 'byLab', 'byWord'] as const;

export interface ApiProps {
  readonly storage: Storage;
  readonly mail: Mail;
  readonly lifecycle: Lifecycle;
  /** The O2 lifecycle (issue 14): started, woken and stopped by the O2 use cases. */
  readonly o2Lifecycle: O2Lifecycle;
  /**
   * OIDC issuer and audiences of the JWT authorizer (HarvardKey's issuer; the API's resource
   * identifier its access tokens carry in `aud`, or the client ID): see infra/stack-config.ts.
   */
  readonly issuer: string;
  readonly audience: readonly string[];
  /** Settings of the API function that no resource gives (token claim names, links in emails, the directories' URLs). */
  readonly settings: Partial<Record<ConfigKey, string | undefined>>;
}

/** What API Gateway writes per request to the access log (no tokens, no bodies, no claims). */
export const ACCESS_LOG_FORMAT = {
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  latency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
} as const;

export class Api extends Construct {
  readonly httpApi: apigwv2.HttpApi;
  readonly function: GuestFunction;
  readonly accessLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);

    this.function = new GuestFunction(this, 'Handler', {
      entry: 'functions/api.ts',
      description: 'Guest accounts HTTP API: every /v1 route and the OpenAPI document',
    });
    // Only what the API's code calls (shared/guest/app/guests.ts, shared/http/): guests, audit events,
    // account IDs and per-person claims (GetItem, PutItem), the activation attempt counters
    // (UpdateItem), a guest's history (Query on the table), a sponsor's or a delegate's list (Query
    // on bySponsor) and HMS IT's list of every guest (Query on byStatus); people, delegations and
    // HSR records (GetItem); Idempotency-Key records; email; start, resume and stop lifecycles, and
    // describe them with their history for HMS IT (GET /v1/guests/{guestId}/executions). No Scan, no
    // DeleteItem on guests, nothing on byDue.
    // Each binding sets the variable naming its resource.
    const fn = this.function;
    props.storage.bindGuests(fn, API_GUESTS_ACTIONS);
    props.storage.bindGuestsIndexQuery(fn, 'bySponsor');
    props.storage.bindGuestsIndexQuery(fn, 'byStatus');
    props.storage.bindIdempotency(fn);
    props.storage.bindDirectory(fn, ['dynamodb:GetItem']);
    props.mail.bindSend(fn);
    props.lifecycle.bindStart(fn);
    props.lifecycle.bindTaskResponse(fn);
    props.lifecycle.bindExecutions(fn, ['states:StopExecution', 'states:DescribeExecution', 'states:GetExecutionHistory']);
    // Labs and O2 accounts (shared/o2/app/o2.ts): the O2 table and the indexes its lists read; start,
    // wake (SendTaskSuccess) and stop (cancel, renewal) O2 lifecycles.
    props.storage.bindO2(fn, API_O2_ACTIONS);
    for (const index of API_O2_INDEXES) props.storage.bindO2IndexQuery(fn, index);
    props.o2Lifecycle.bindStart(fn);
    props.o2Lifecycle.bindTaskResponse(fn);
    props.o2Lifecycle.bindExecutions(fn, ['states:StopExecution']);
    fn.configure(props.settings);

    this.httpApi = new apigwv2.HttpApi(this, 'HttpApi', {
      description: 'HMS sponsored guest accounts',
      createDefaultStage: true,
      // No CORS: the portal calls the API from its own origin through its backend.
    });

    const authorizer = new HttpJwtAuthorizer('JwtAuthorizer', props.issuer, {
      jwtAudience: [...props.audience],
      identitySource: ['$request.header.Authorization'],
    });
    const none = new apigwv2.HttpNoneAuthorizer();
    const integration = new HttpLambdaIntegration('Integration', this.function.fn, {
      payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
    });

    const created = new Map<string, apigwv2.HttpRoute>();
    for (const route of ROUTES) {
      const [httpRoute] = this.httpApi.addRoutes({
        path: route.path,
        methods: [apigwv2.HttpMethod[route.method]],
        integration,
        authorizer: route.auth ? authorizer : none,
        // An ID token carries no `scope`: only an access token with one of these gets through.
        ...(route.auth ? { authorizationScopes: [...scopesFor(route)] } : {}),
      });
      if (!httpRoute) throw new Error(`No route created for ${routeKey(route)}`);
      created.set(routeKey(route), httpRoute);
      if (!route.auth) {
        acknowledge(
          httpRoute,
          'AwsSolutions-APIG4',
          route.name === 'openApi'
            ? 'Public by design: the OpenAPI document describes the API and holds no data.'
            : 'Public by design: the guest has no account yet; the single-use emailed activation code is the credential, checked by the handler, and the route has its own strict throttle.',
        );
      }
    }

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
    });

    const stage = this.httpApi.defaultStage?.node.defaultChild as apigwv2.CfnStage | undefined;
    if (!stage) throw new Error('The HTTP API has no default stage');
    stage.accessLogSettings = {
      destinationArn: this.accessLogGroup.logGroupArn,
      format: JSON.stringify(ACCESS_LOG_FORMAT),
    };
    stage.defaultRouteSettings = {
      throttlingBurstLimit: DEFAULT_THROTTLE.burstLimit,
      throttlingRateLimit: DEFAULT_THROTTLE.rateLimit,
      detailedMetricsEnabled: true,
    };
    // `RouteSettings` is a free-form JSON map in the L1 (untyped): written in CloudFormation casing.
    const routeSettings: Record<string, Record<string, unknown>> = {};
    for (const route of ROUTES) {
      if (!('throttle' in route)) continue;
      const key = routeKey(route);
      routeSettings[key] = {
        ThrottlingBurstLimit: route.throttle.burstLimit,
        ThrottlingRateLimit: route.throttle.rateLimit,
        DetailedMetricsEnabled: true,
      };
      // Route settings name a route key, which must exist before the stage is updated.
      stage.node.addDependency(created.get(key)!);
    }
    stage.routeSettings = routeSettings;
  }

  get url(): string {
    return this.httpApi.apiEndpoint;
  }
}
