import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DeliveryPipeline, Source } from '../../lib';
import { build, newStack } from '../util';

describe('S3Source', () => {
  test('reads the object without polling and starts on S3 EventBridge events', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Releases', { versioned: true });
    const source = Source.s3({ bucket, objectKey: 'releases/app.zip' });
    new DeliveryPipeline(stack, 'Pipeline', { source, buildStep: build() });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([Match.objectLike({
        Actions: [Match.objectLike({ ActionTypeId: Match.objectLike({ Provider: 'S3' }), Configuration: Match.objectLike({ S3ObjectKey: 'releases/app.zip', PollForSourceChanges: false }) })],
      })]),
    });
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['aws.s3'], 'detail-type': ['Object Created'], 'detail': { bucket: { name: [{ Ref: Match.stringLikeRegexp('Releases') }] }, object: { key: ['releases/app.zip'] } } },
      Targets: [Match.objectLike({ Arn: Match.anyValue() })],
    });
    expect(JSON.stringify(t.toJSON())).not.toContain('AWS::CloudTrail::Trail');
    expect(source.variables).toEqual({ versionId: '#{Source.VersionId}', eTag: '#{Source.ETag}' });
  });

  test('warns that an imported bucket needs EventBridge notifications turned on', () => {
    const stack = newStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Imported', 'releases');
    new DeliveryPipeline(stack, 'Pipeline', { source: Source.s3({ bucket, objectKey: 'app.zip' }), buildStep: build() });
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('EventBridge notifications cannot be turned on here'));
  });

  test('fails when a bucket created in the app is not versioned', () => {
    const stack = newStack();
    const source = Source.s3({ bucket: new s3.Bucket(stack, 'Unversioned'), objectKey: 'app.zip' });
    expect(() => new DeliveryPipeline(stack, 'Pipeline', { source, buildStep: build() })).toThrow(/S3Source 'Source' has 1 problem:\n {2}- bucket: is not versioned, and CodePipeline reads S3 sources by version \(got Test\/Unversioned\)\. Fix: create the bucket with versioned: true/);
  });

  test('cuts the rule description to 512 characters for long keys', () => {
    const stack = newStack();
    new DeliveryPipeline(stack, 'Pipeline', { source: Source.s3({ bucket: new s3.Bucket(stack, 'B', { versioned: true }), objectKey: 'k'.repeat(1000) }), buildStep: build() });
    const rule = Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule'))[0];
    expect(rule.Properties.Description.length).toBeLessThanOrEqual(512);
  });

  test('fails when the bucket is missing', () => {
    expect(() => Source.s3({ objectKey: 'app.zip' } as never)).toThrow(/bucket: is required/);
  });

  test('fails when the object key is empty', () => {
    const stack = newStack();
    expect(() => Source.s3({ bucket: new s3.Bucket(stack, 'B'), objectKey: '' })).toThrow(/S3Source 'Source' has 1 problem:\n {2}- objectKey: must be an S3 object key of 1 to 1,024 characters/);
  });

  test('fails when the object key starts with a slash', () => {
    const stack = newStack();
    expect(() => Source.s3({ bucket: new s3.Bucket(stack, 'B'), objectKey: '/app.zip' })).toThrow(/objectKey: starts with a slash.*Fix: drop the leading slash: 'app.zip'/);
  });

  test('fails when trigger filters are passed to an S3 source', () => {
    const stack = newStack();
    const props = { bucket: new s3.Bucket(stack, 'B'), objectKey: 'a.zip', pushFilters: [] } as never;
    expect(() => Source.s3(props)).toThrow(/pushFilters: is not a prop of S3SourceProps \(got \[\]\)\. Fix: remove it: trigger filters apply to connection sources only/);
  });
});
