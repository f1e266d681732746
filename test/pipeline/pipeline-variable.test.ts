import { PipelineVariable } from '../../lib';

describe('PipelineVariable', () => {
  test('renders its reference', () => {
    const v = new PipelineVariable({ name: 'DEPLOY_TARGET' });
    expect(v.reference).toBe('#{variables.DEPLOY_TARGET}');
    expect(v.defaultValue).toBeUndefined();
  });

  test('fails when the name is missing', () => {
    expect(() => new PipelineVariable({} as never)).toThrow(/name: is required/);
  });

  test('fails when the name breaks the naming rules', () => {
    expect(() => new PipelineVariable({ name: 'deploy target' })).toThrow(/PipelineVariable 'deploy target' has 1 problem:\n {2}- name: is not a valid pipeline variable name \(got "deploy target"\)\. Fix: use 1 to 128 characters/);
    expect(() => new PipelineVariable({ name: 'x'.repeat(129) })).toThrow(/name: is not a valid pipeline variable name/);
  });

  test('fails when the default value is empty or longer than 1,000 characters', () => {
    expect(() => new PipelineVariable({ name: 'X', defaultValue: '' })).toThrow(/defaultValue: must be 1 to 1,000 characters long/);
    expect(() => new PipelineVariable({ name: 'X', defaultValue: 'v'.repeat(1001) })).toThrow(/defaultValue: must be 1 to 1,000 characters long/);
  });

  test('fails when the description is longer than 200 characters', () => {
    expect(() => new PipelineVariable({ name: 'X', description: 'd'.repeat(201) })).toThrow(/description: is longer than 200 characters/);
  });
});
