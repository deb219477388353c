package dev.gantry.storage.image;

import dev.gantry.flow.storage.OciImage;
import dev.gantry.flow.storage.Storage;
import dev.gantry.storage.BundleStorage;
import dev.gantry.storage.StorageContext;
import dev.gantry.storage.StorageException;
import dev.gantry.storage.StorageProvider;
import java.nio.file.Path;
import java.util.Map;

/**
 * Container images as a storage kind ({@link OciImage}): registration builds and pushes the image
 * with {@link FlowImageBuilder}; a run's flow is then a module flow of that image, so there is no
 * bundle to store or fetch.
 */
public final class ImageStorageProvider implements StorageProvider {

  @Override
  public String scheme() {
    return "image";
  }

  @Override
  public boolean describes(Storage description) {
    return description instanceof OciImage;
  }

  @Override
  public BundleStorage open(Storage description, StorageContext context) {
    throw new StorageException(
        "image storage "
            + ((OciImage) description).reference()
            + " keeps the flow in an image, not in a bundle; register it with --storage image:…");
  }

  @Override
  public void fetch(
      String flowName, String location, Path target, Map<String, String> environment) {
    throw new StorageException(
        "bundle location "
            + location
            + " of flow '"
            + flowName
            + "' is an image: runs start the image by digest and fetch nothing;"
            + " register the flow again");
  }
}
