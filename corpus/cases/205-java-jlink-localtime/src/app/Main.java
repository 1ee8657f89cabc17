package app;
public class Main {
  public static void main(String[] a) {
    System.out.println("tz=" + java.util.TimeZone.getDefault().getID() + " zone=" + java.time.ZoneId.systemDefault());
  }
}
