/**
 * Every state machine of a synthesized template, its definition (an `Fn::Join` of strings and
 * intrinsics) resolved into plain ASL JSON with local, real-looking ARNs, so that the SYNTHESIZED
 * definitions run in the local Step Functions service (tests and `npm start`). Template JSON only.
 */
import { localNames, resolve, resourcesOfType, type CfnTemplate, type Names } from './template.ts';
import type { AslDefinition } from './sfn/transform.ts';

export interface LocalStateMachine {
  /** Logical ID of the state machine resource. */
  readonly logicalId: string;
  /** Its name (StateMachineName, or the logical ID without one). */
  readonly name: string;
  /** Its local ARN. */
  readonly arn: string;
  /** The resolved ASL definition. */
  readonly definition: AslDefinition;
  /** Logical IDs of the Lambda functions the definition references (invokes), in order of first reference. */
  readonly functions: readonly string[];
}

/** Every state machine in the template, its definition resolved with `names` (local names by default). */
export function stateMachinesFromTemplate(template: CfnTemplate, names: Names = localNames(template)): LocalStateMachine[] {
  return resourcesOfType(template, 'AWS::StepFunctions::StateMachine').map(([logicalId, props]) => {
    const functions: string[] = [];
    // Records each Lambda function the definition names, then names it as usual.
    const recording: Names = (id, attribute) => {
      if (template.Resources[id]?.Type === 'AWS::Lambda::Function' && !functions.includes(id)) functions.push(id);
      return names(id, attribute);
    };
    let text: string;
    if (props.DefinitionString !== undefined) text = String(resolve(props.DefinitionString, recording));
    else if (props.Definition !== undefined) text = JSON.stringify(resolve(props.Definition, recording));
    else throw new Error(`The state machine ${logicalId} has no definition`);
    // `${name}` placeholders of DefinitionSubstitutions, each replaced by its resolved value.
    for (const [key, value] of Object.entries((props.DefinitionSubstitutions ?? {}) as Record<string, unknown>)) {
      text = text.replaceAll(`\${${key}}`, String(resolve(value, recording)));
    }
    return {
      logicalId,
      name: names(logicalId, 'Name'),
      arn: names(logicalId, 'Arn'),
      definition: JSON.parse(text) as AslDefinition,
      functions,
    };
  });
}
