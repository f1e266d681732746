// Tools the library's jobs install in CodeBuild's standard image, and the scripts they run.

/** Where skopeo comes from: the Ubuntu packages of CodeBuild's standard image. */
export const INSTALL_SKOPEO = 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq skopeo >/dev/null';

/**
 * The promotion, in bash, from environment variables: the tested image's digest from
 * imageDetail.json, the copy (skipped when the tag already holds that digest), the check that the
 * copy has the tested digest, and the image files naming the copy by digest.
 */
export const PROMOTE_SCRIPT = [
  'set -euo pipefail',
  'SOURCE=$(node -e "process.stdout.write(require(\'./imageDetail.json\').ImageURI)")',
  '# A DockerImageStep names its image by tag: the registry tells its digest.',
  'if [[ "$SOURCE" != *@sha256:* ]]; then',
  '  REGISTRY="${SOURCE%%/*}"; NAME="${SOURCE#*/}"',
  '  FOUND=$(aws ecr describe-images --region "$(echo "$REGISTRY" | cut -d. -f4)" --registry-id "${REGISTRY%%.*}" --repository-name "${NAME%:*}" --image-ids "imageTag=${NAME##*:}" --query "imageDetails[0].imageDigest" --output text)',
  '  SOURCE="$REGISTRY/${NAME%:*}@$FOUND"',
  'fi',
  'DIGEST="${SOURCE##*@}"',
  'case "$DIGEST" in sha256:*) ;; *) echo "imageDetail.json names no image by digest (ImageURI $SOURCE)"; exit 1 ;; esac',
  'SOURCE_REGISTRY="${SOURCE%%/*}"',
  'SOURCE_REGION=$(echo "$SOURCE_REGISTRY" | cut -d. -f4)',
  'TAG="${PROMOTE_TAG:-promoted-${DIGEST:7:12}}"',
  'SOURCE_LOGIN="AWS:$(aws ecr get-login-password --region "$SOURCE_REGION")"',
  'if [ "$PROMOTE_ROLE" != none ]; then',
  '  CREDENTIALS=$(aws sts assume-role --role-arn "$PROMOTE_ROLE" --role-session-name image-promotion --query Credentials --output text)',
  '  export AWS_ACCESS_KEY_ID=$(echo "$CREDENTIALS" | cut -f1) AWS_SECRET_ACCESS_KEY=$(echo "$CREDENTIALS" | cut -f3) AWS_SESSION_TOKEN=$(echo "$CREDENTIALS" | cut -f4)',
  'fi',
  'DESTINATION_LOGIN="AWS:$(aws ecr get-login-password --region "$PROMOTE_REGION")"',
  'digest_of() { aws ecr describe-images --region "$PROMOTE_REGION" --registry-id "$PROMOTE_ACCOUNT" --repository-name "$PROMOTE_REPOSITORY" --image-ids "imageTag=$TAG" --query "imageDetails[0].imageDigest" --output text 2>/dev/null || true; }',
  'if [ "$(digest_of)" = "$DIGEST" ]; then',
  '  echo "$PROMOTE_REPOSITORY:$TAG already holds $DIGEST"',
  'else',
  '  skopeo copy --all --src-creds "$SOURCE_LOGIN" --dest-creds "$DESTINATION_LOGIN" "docker://$SOURCE" "docker://$PROMOTE_REGISTRY/$PROMOTE_REPOSITORY:$TAG"',
  'fi',
  'COPIED=$(digest_of)',
  'if [ "$COPIED" != "$DIGEST" ]; then echo "The copy has digest $COPIED, not the tested $DIGEST: nothing is deployed"; exit 1; fi',
  'IMAGE="$PROMOTE_REGISTRY/$PROMOTE_REPOSITORY@$DIGEST"',
  'printf \'{"ImageURI":"%s","ImageDigest":"%s","ImageTags":["%s"]}\\n\' "$IMAGE" "$DIGEST" "$TAG" > imageDetail.json',
  'if [ "$PROMOTE_CONTAINER" != none ]; then printf \'[{"name":"%s","imageUri":"%s"}]\\n\' "$PROMOTE_CONTAINER" "$IMAGE" > imagedefinitions.json; fi',
  'echo "Promoted $SOURCE to $IMAGE"',
].join('\n');
